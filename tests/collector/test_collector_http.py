"""The Event API on a real server (127.0.0.1), then `land`: what each answer promises holds in the warehouse.

No dbt here: the raw tables and loader.rejects say what was stored. The
marts are checked in test_event_api_end_to_end.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
import yaml

from collector_server import Server
from conftest import MiniProject

KEYS = {"SHOP_VISITS_KEY": "shop-visits-" + "a" * 20, "SHOP_ORDERS_KEY": "shop-orders-" + "b" * 20,
        "SLOW_VISITS_KEY": "slow-visits-" + "c" * 20}
VISITS, ORDERS, SLOW = KEYS["SHOP_VISITS_KEY"], KEYS["SHOP_ORDERS_KEY"], KEYS["SLOW_VISITS_KEY"]
ALLOWED_ORIGIN = "https://www.shop.example"


def declare(project: MiniProject, retailer: str, tables: dict[str, dict]) -> None:
    """tables: dataset -> meta.loader block (an event_api source each)."""
    doc = {"version": 2, "sources": [{"name": retailer, "schema": f"raw_{retailer}", "tables": [
        {"name": dataset, "config": {"meta": {"loader": {"source": "event_api", **block}}}}
        for dataset, block in tables.items()]}]}
    (project.root / "models" / f"_{retailer}__sources.yml").write_text(yaml.safe_dump(doc, sort_keys=False))


def page_view(event_id: str, **values) -> dict:
    return {"event_id": event_id, "event_time": "2024-06-01T10:00:00Z", "visitor_id": f"v-{event_id}",
            "url": f"https://www.shop.example/p/{event_id}", **values}


def landed_ids(project: MiniProject, table: str = "raw_shop.visits") -> list[str]:
    return [r[0] for r in project.query(f"select event_id from {table} order by event_id")]


@pytest.fixture(scope="module")
def answered(tmp_path_factory):
    """One server; every kind of answer; then stopped and landed."""
    project = MiniProject(tmp_path_factory.mktemp("answers") / "project")
    declare(project, "shop", {
        "visits": {"format": "symbiosys_visits_csv", "write_key_env": "SHOP_VISITS_KEY", "max_body_bytes": 4096,
                   "cors_origins": [ALLOWED_ORIGIN]},
        "orders": {"format": "symbiosys_orders_csv", "write_key_env": "SHOP_ORDERS_KEY"},
    })
    declare(project, "slow", {"visits": {"format": "symbiosys_visits_csv", "write_key_env": "SLOW_VISITS_KEY",
                                         "rate_limit_per_second": 1, "rate_limit_burst": 3}})
    server = Server(project.root, KEYS)
    answers = {}
    try:
        answers["single"] = server.post(page_view("single"), VISITS)
        answers["batch"] = server.post([page_view(f"batch-{i}") for i in range(3)], VISITS)
        ndjson = "\n".join(json.dumps(page_view(f"nd-{i}")) for i in range(2)) + "\n"
        answers["ndjson"] = server.post(ndjson, VISITS, "application/x-ndjson")
        answers["beacon"] = server.request("POST", f"/v1/events?key={VISITS}", json.dumps(page_view("beacon")),
                                           {"content-type": "text/plain", "origin": ALLOWED_ORIGIN})
        answers["mixed"] = server.post([page_view("good-1"), page_view("bad-time", event_time="yesterday"),
                                        page_view("bad-platform", platform="tv", visitor_id=""), 42], VISITS)
        answers["garbage"] = server.post('{"event_id": "g-ok", "event_time": "2024-06-01T10:00:00Z", '
                                         '"visitor_id": "v", "url": "https://x.example/"}\n{"event_id": "g-bad", \n',
                                         VISITS, "application/x-ndjson")
        answers["not_json"] = server.post(b"event_id=e1&url=x\xff", VISITS, "application/x-www-form-urlencoded")
        answers["order"] = server.post({"order_id": "o1", "event_time": "2024-06-01T10:00:00Z", "crm_id": "c1",
                                        "currency": "EUR", "revenue": 12.5, "item_count": 2}, ORDERS)
        answers["no_key"] = server.post(page_view("no-key"), None)
        answers["wrong_key"] = server.post(page_view("wrong-key"), "x" * 32)
        answers["wrong_origin"] = server.post(page_view("wrong-origin"), VISITS, origin="https://evil.example")
        answers["orders_from_browser"] = server.post(page_view("o-browser"), ORDERS, origin=ALLOWED_ORIGIN)
        answers["too_large"] = server.post([page_view(f"big-{i}") for i in range(40)], VISITS)
        answers["empty"] = server.post([], VISITS)
        answers["preflight_ok"] = server.request("OPTIONS", "/v1/events", None, {
            "origin": ALLOWED_ORIGIN, "access-control-request-method": "POST",
            "access-control-request-headers": "content-type"})
        answers["preflight_refused"] = server.request("OPTIONS", "/v1/events", None, {
            "origin": "https://evil.example", "access-control-request-method": "POST"})
        answers["slow"] = [server.post(page_view(f"slow-{i}"), SLOW) for i in range(5)]
        answers["health"] = server.get("/health")
        answers["openapi"] = server.get("/openapi.json")
        answers["docs"] = server.get("/docs")
        answers["tag"] = server.get("/tag.js")
    finally:
        log = server.stop()
    landing = project.cli("land")
    return {"project": project, "answers": answers, "log": log, "land": landing}


def test_accepted_requests_answer_200_with_the_count(answered):
    a = answered["answers"]
    assert a["single"][:2] == (200, {"accepted": 1})
    assert a["batch"][:2] == (200, {"accepted": 3})
    assert a["ndjson"][:2] == (200, {"accepted": 2})
    assert a["order"][:2] == (200, {"accepted": 1})
    status, body, headers = a["beacon"]
    assert (status, body) == (200, {"accepted": 1})
    assert headers["access-control-allow-origin"] == ALLOWED_ORIGIN


def test_contract_errors_answer_400_per_event_and_the_events_are_still_stored(answered):
    status, body, _ = answered["answers"]["mixed"]
    assert status == 400
    assert (body["accepted"], body["rejected"]) == (1, 3)
    problems = {e["index"]: e["problems"] for e in body["errors"]}
    assert problems == {
        1: ["event_time: not a valid timestamp"],
        2: ["visitor_id: required value missing", "platform: not one of web, app"],
        3: ["not a JSON object (a JSON number)"],
    }
    assert "recorded as rejected" in body["error"]
    project = answered["project"]
    landed = set(landed_ids(project))
    # bad values land as rows, for staging to flag (test_event_api_end_to_end checks it does)
    assert {"good-1", "bad-time", "bad-platform"} <= landed
    refused = project.query("select line_number, error_type, reason, raw_text from loader.rejects "
                            "where raw_text = '42'")
    assert [r[1:] for r in refused] == [("REFUSED BY COLLECTOR", "not a JSON object (a JSON number)", "42")]


def test_what_is_not_json_is_answered_400_and_kept_as_a_reject(answered):
    status, body, _ = answered["answers"]["garbage"]
    assert status == 400 and body["accepted"] == 1 and body["errors"][0]["index"] == 1
    assert body["errors"][0]["problems"][0].startswith("not valid JSON")
    status, body, _ = answered["answers"]["not_json"]
    assert status == 400 and body["accepted"] == 0
    rejects = {r[0]: r[1] for r in answered["project"].query(
        "select raw_text, reason from loader.rejects where error_type = 'REFUSED BY COLLECTOR'")}
    assert rejects['{"event_id": "g-bad", '].startswith("not valid JSON")
    # the bytes that are not UTF-8 are kept, visibly escaped
    assert rejects["event_id=e1&url=x\\xff"].startswith("not valid JSON")
    assert "g-ok" in landed_ids(answered["project"])


def test_refused_requests_store_nothing(answered):
    a = answered["answers"]
    for name in ("no_key", "wrong_key"):
        status, body, _ = a[name]
        assert status == 401 and "write key" in body["error"] and "Authorization: Bearer" in body["error"]
    status, body, _ = a["wrong_origin"]
    assert status == 403 and "https://evil.example" in body["error"] and "cors_origins" in body["error"]
    assert a["orders_from_browser"][0] == 403     # the orders key lists no origin: server-side only
    status, body, _ = a["too_large"]
    assert status == 413 and "4096 bytes" in body["error"] and "max_body_bytes" in body["error"]
    assert a["empty"][0] == 400 and "no event" in a["empty"][1]["error"]
    landed = set(landed_ids(answered["project"]))
    assert not landed & {"no-key", "wrong-key", "wrong-origin", "o-browser", *(f"big-{i}" for i in range(40))}


def test_rate_limit_answers_429_with_retry_after_and_stores_nothing_of_it(answered):
    slow = answered["answers"]["slow"]
    codes = [status for status, _, _ in slow]
    assert codes[:3] == [200, 200, 200] and 429 in codes[3:]
    status, body, headers = next(s for s in slow if s[0] == 429)
    assert int(headers["retry-after"]) >= 1
    assert "rate limit of 1 events per second for slow.visits" in body["error"] and "nothing was stored" in body["error"]
    accepted = {f"slow-{i}" for i, (code, _, _) in enumerate(slow) if code == 200}
    assert set(landed_ids(answered["project"], "raw_slow.visits")) == accepted


def test_cors_preflight_answers_listed_origins_only(answered):
    status, _, headers = answered["answers"]["preflight_ok"]
    assert status == 204 and headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert "POST" in headers["access-control-allow-methods"]
    assert answered["answers"]["preflight_refused"][0] == 403


def test_every_accepted_event_landed_once_with_its_segment_as_the_file(answered):
    project = answered["project"]
    assert answered["land"].code == 0, answered["land"].err
    expected = {"single", "beacon", "good-1", "bad-time", "bad-platform", "g-ok",
                *(f"batch-{i}" for i in range(3)), *(f"nd-{i}" for i in range(2))}
    ids = landed_ids(project)
    assert sorted(ids) == sorted(expected)
    files = project.query("select distinct _source_file, _file_date from raw_shop.visits")
    assert len(files) == 1 and "/spool/shop/visits/shop_visits_" in files[0][0]
    manifest = project.query("select status, rows_read, rows_landed, rows_rejected, delimiter from loader.files "
                             "where retailer = 'shop' and dataset = 'visits'")
    assert manifest == [("landed", len(expected) + 3, len(expected), 3, "json_lines")]
    assert project.query("select order_id, revenue, item_count from raw_shop.orders") == [("o1", "12.5", "2")]
    # landing again is a no-op: the closed segments are unchanged deliveries
    again = project.cli("land")
    assert again.code == 0 and "0 landed, 3 unchanged" in again.err


def test_openapi_docs_and_tag_are_served(answered):
    a = answered["answers"]
    assert a["health"][:2] == (200, {"status": "ok", "sources": ["shop.visits", "shop.orders", "slow.visits"]})
    status, spec, _ = a["openapi"]
    assert status == 200 and spec["openapi"].startswith("3.")
    visits = spec["components"]["schemas"]["symbiosys_visits_csv"]
    assert visits["required"] == ["visitor_id", "url", "event_time"]
    assert visits["properties"]["platform"]["enum"] == ["web", "app"]
    orders = spec["components"]["schemas"]["symbiosys_orders_csv"]
    assert {"anyOf": [{"required": ["visitor_id"]}, {"required": ["crm_id"]}]} in orders["allOf"]
    assert set(spec["paths"]["/v1/events"]["post"]["responses"]) == {"200", "400", "401", "403", "413", "429", "503"}
    status, page, _ = a["docs"]
    assert status == 200 and "<td><code>event_time</code></td>" in page and "<script" not in page
    status, tag, headers = a["tag"]
    assert status == 200 and headers["content-type"].startswith("application/javascript") and "sendBeacon" in tag


def test_server_logs_no_keys_and_no_addresses(answered):
    log = answered["log"]
    assert VISITS not in log and "127.0.0.1:" not in log.replace("http://127.0.0.1", "")


def test_serve_refuses_a_source_without_key_in_one_line(tmp_path):
    project = MiniProject(tmp_path / "project")
    declare(project, "shop", {"visits": {"format": "symbiosys_visits_csv", "write_key_env": "NOT_SET_ANYWHERE"}})
    result = project.cli("serve", "--port", "1")
    assert result.code == 1 and "NOT_SET_ANYWHERE" in result.err and "Traceback" not in result.err
    declare(project, "shop", {"visits": {"format": "symbiosys_visits_csv", "write_key": "a-literal-key-in-yaml"}})
    result = project.cli("serve", "--port", "1")
    assert result.code == 1 and "literal secret" in result.err and "write_key_env" in result.err


# -- durability ----------------------------------------------------------------------------------------------------

def _sender(server: Server, prefix: str, acked: list, failed: list, stop: threading.Event, batch: int, limit: int):
    """A bounded client: up to `limit` requests, no retries, recording what each answer said."""
    for n in range(limit):
        if stop.is_set():
            return
        events = [page_view(f"{prefix}-{n}-{i}") for i in range(batch)]
        ids = [e["event_id"] for e in events]
        try:
            status, _, _ = server.post(events if batch > 1 else events[0], VISITS, timeout=10)
        except OSError:
            failed.extend(ids)
            continue
        (acked if 200 <= status < 300 else failed).extend(ids)


def _spooled_project(tmp_path: Path) -> MiniProject:
    project = MiniProject(tmp_path / "project")
    declare(project, "shop", {"visits": {"format": "symbiosys_visits_csv", "write_key_env": "SHOP_VISITS_KEY",
                                         "rate_limit_per_second": "off", "segment_max_seconds": 1,
                                         "segment_max_bytes": 20000}})
    return project


def test_kill_9_while_sending_every_acknowledged_event_lands_exactly_once(tmp_path):
    project = _spooled_project(tmp_path)
    server = Server(project.root, KEYS)
    acked, failed, stop = [], [], threading.Event()
    threads = [threading.Thread(target=_sender, args=(server, f"t{t}", acked, failed, stop, batch, 400))
               for t, batch in enumerate((1, 1, 10, 25))]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    while len(acked) < 600 and time.monotonic() < deadline:
        time.sleep(0.01)
    server.kill()
    stop.set()
    for thread in threads:
        thread.join(30)
    assert len(acked) >= 600, "the collector acknowledged too little before the kill"
    spool = project.root / "warehouse" / "spool" / "shop" / "visits"
    assert list(spool.glob("*.ndjson.open")), "the kill should leave an open segment behind"
    result = project.cli("land")
    assert result.code == 0, result.err
    assert not list(spool.glob("*.open")), "land closes segments whose writer is dead"
    landed = landed_ids(project)
    assert len(landed) == len(set(landed)), "an event landed twice"
    assert set(acked) <= set(landed), f"acknowledged but lost: {sorted(set(acked) - set(landed))[:5]}"
    # what was not acknowledged may have reached the disk (at least once): it was sent, whole, never invented
    assert set(landed) - set(acked) <= set(failed)
    torn = project.query("select reason from loader.rejects")
    assert all(r[0].startswith("incomplete line") for r in torn)


def test_two_workers_write_their_own_segments_and_lose_nothing(tmp_path):
    project = _spooled_project(tmp_path)
    server = Server(project.root, KEYS, workers=2)
    acked, failed, stop = [], [], threading.Event()
    threads = [threading.Thread(target=_sender, args=(server, f"w{t}", acked, failed, stop, 5, 60)) for t in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    server.stop()
    assert not failed and len(acked) == 6 * 60 * 5
    result = project.cli("land")
    assert result.code == 0, result.err
    assert sorted(landed_ids(project)) == sorted(acked)
    segments = list((project.root / "warehouse" / "spool" / "shop" / "visits").glob("*.ndjson"))
    writers = {p.name.rsplit("_", 1)[1].split("-")[0] for p in segments}
    assert len(segments) >= 2 and len(writers) >= 1


def test_an_abandoned_segment_is_closed_and_its_torn_line_kept_as_a_reject(tmp_path):
    project = _spooled_project(tmp_path)
    spool = project.root / "warehouse" / "spool" / "shop" / "visits"
    spool.mkdir(parents=True)
    whole = json.dumps(page_view("whole")) + "\n"
    (spool / "shop_visits_20240601T100000Z_abc123-1.ndjson.open").write_text(whole + '{"event_id": "tor')
    # a segment whose writer is alive (holds its lock) is left alone
    live = spool / "shop_visits_20240601T100001Z_def456-1.ndjson.open"
    live.write_text(json.dumps(page_view("live")) + "\n")
    holder = subprocess.Popen(["python3", "-c", "import fcntl,os,sys,time; fd=os.open(sys.argv[1], os.O_RDWR); "
                               "fcntl.flock(fd, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(120)",
                               str(live)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        result = project.cli("land")
    finally:
        holder.kill()
        holder.wait()
    assert result.code == 0, result.err
    assert landed_ids(project) == ["whole"]
    assert live.exists()
    assert project.query("select _file_date from raw_shop.visits") == [(__import__("datetime").date(2024, 6, 1),)]
    [(reason, text)] = project.query("select reason, raw_text from loader.rejects")
    assert reason.startswith("incomplete line: the collector stopped while writing it")
    assert text == '{"event_id": "tor'


def test_disk_full_answers_503_and_acknowledges_nothing_it_did_not_store(tmp_path):
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("needs root to mount a small tmpfs")
    disk = tmp_path / "small-disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        project = MiniProject(tmp_path / "project")
        declare(project, "shop", {"visits": {"format": "symbiosys_visits_csv", "write_key_env": "SHOP_VISITS_KEY",
                                             "location": str(disk / "visits"), "rate_limit_per_second": "off"}})
        server = Server(project.root, KEYS)
        answers = []
        try:
            for n in range(200):
                events = [page_view(f"d{n}-{i}", url="https://www.shop.example/" + "x" * 200) for i in range(5)]
                status, body, headers = server.post(events, VISITS)
                answers.append((status, body, headers, [e["event_id"] for e in events]))
                if status == 503:
                    break
            assert server.get("/health")[0] == 200, "a full disk must not stop the collector"
        finally:
            server.stop()
        status, body, headers, _ = answers[-1]
        assert status == 503 and "disk is full" in body["error"] and "nothing was stored" in body["error"]
        assert int(headers["retry-after"]) > 0
        acked = [i for s, _, _, ids in answers if s == 200 for i in ids]
        assert acked
        landing = project.cli("land")
        assert landing.code == 0, landing.err
        assert sorted(landed_ids(project)) == sorted(acked)
        assert project.query("select count(*) from loader.rejects") == [(0,)]
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)
