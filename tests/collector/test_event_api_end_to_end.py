"""Events sent to the Event API reach the marts exactly as the same events delivered as files.

One copy of the real project, two retailers onboarded with add-retailer:
`webshop` sends its page views and orders to a real collector (single
events, a batch, NDJSON, and the page-view tag in headless Chromium),
`fileshop` delivers the same events as Symbiosys CSV files. One `run`
(land + dbt build) later, their marts must be identical but for the
retailer and lineage columns. Events the collector answered 400 must be
flagged by staging with the same reasons (the collector never refuses what
staging would accept).
"""

from __future__ import annotations

import csv
import http.server
import json
import shutil
import subprocess
import threading
import time
from datetime import datetime, timedelta, timezone
from functools import partial
from pathlib import Path

import pytest

from collector_server import Server, free_port
from conftest import ProjectCopy

pytestmark = pytest.mark.dbt

KEYS = {"WEBSHOP_VISITS_KEY": "webshop-visits-" + "1" * 20, "WEBSHOP_ORDERS_KEY": "webshop-orders-" + "2" * 20}
VISIT_FIELDS = ["event_id", "event_time", "event_type", "visitor_id", "crm_id", "session_id", "url", "referrer",
                "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "campaign_id", "platform",
                "device_type", "user_agent"]
ORDER_FIELDS = ["order_id", "event_time", "visitor_id", "crm_id", "session_id", "currency", "revenue", "item_count",
                "product_ids", "coupon_code", "platform"]
TODAY = datetime.now(timezone.utc).date()
START = datetime.combine(TODAY - timedelta(days=1), datetime.min.time(), timezone.utc) + timedelta(hours=9)


def _visits() -> list[dict]:
    views = []
    for n in range(24):
        visitor = f"v{n % 6}"
        first = n < 6
        view = {"event_id": f"pv-{n}", "event_time": (START + timedelta(minutes=7 * n)).isoformat(),
                "event_type": "page_view", "visitor_id": visitor, "session_id": f"s-{visitor}",
                "url": f"https://www.webshop.example/p/{n}" + ("?utm_source=google&utm_medium=cpc" if first else ""),
                "referrer": "https://www.google.com/" if first else f"https://www.webshop.example/p/{n - 6}",
                "platform": "web" if n % 5 else "app", "device_type": ["desktop", "mobile", "tablet"][n % 3],
                "user_agent": "Mozilla/5.0 (X11; Linux x86_64)"}
        if first:
            view.update(utm_source="google", utm_medium="cpc", utm_campaign=f"summer-{n % 2}", campaign_id="c-77")
        if n >= 18:
            view["crm_id"] = f"crm-{n % 6}"
        views.append(view)
    return views


def _orders() -> list[dict]:
    return [{"order_id": f"o-{n}", "event_time": (START + timedelta(hours=3, minutes=n)).isoformat(),
             "visitor_id": f"v{n}", "crm_id": f"crm-{n}" if n % 2 else "", "session_id": f"s-v{n}",
             "currency": "EUR", "revenue": 10.5 * (n + 1), "item_count": n + 1, "product_ids": f"sku-{n};sku-9",
             "coupon_code": "WELCOME" if n == 0 else "", "platform": "web"} for n in range(4)]


# Values at the edges of the contract, each in an event of its own: the collector's verdict (from its 400
# answer) must be staging's. Missing keys are left out; the rest keeps the valid event's values.
TRICKY_VISITS = [{"event_time": v} for v in [
    "2024-06-01 10:00:00", "2024-06-01T10:00:00.123456+02:00", "2024-06-01T10:00Z", "2024-06-01",
    "20240601T100000", "2024-13-01T00:00:00", "June 1 2024", "2024-06-01 10:00:00 UTC", "2024-06-01T10:00:00+0200",
    "2024-06-01T24:00:00", " 2024-06-01T10:00:00Z ", "2024-06-01T10:00:00.1234567Z", "2024-02-30T10:00:00Z",
    1717236000, "", None]] + [
    {"platform": "WEB"}, {"platform": " App "}, {"platform": "tv"}, {"event_type": "CLICK"}, {"event_type": "view"},
    {"url": ""}, {"visitor_id": 123}, {"visitor_id": "   "}, {"url": {"nested": True}},
]
TRICKY_ORDERS = [{"revenue": v} for v in ["12,5", "1e3", " 12 ", "abc", 1e30, ".5", "+3", "NaN", "inf", "12.1234567",
                                          True, None]] + [
    {"item_count": v} for v in ["2.0", 3.5, "3", 2 ** 63, -1, " 7 "]] + [
    {"currency": ""}, {"visitor_id": "", "crm_id": None}, {"visitor_id": None, "crm_id": "c"},
]


def _write_csv(path: Path, fields: list[str], rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows([{k: ("" if r.get(k) is None else r[k]) for k in fields} for r in rows])


class Chromium:
    """Headless Chromium driven over the DevTools protocol (websockets)."""

    def __init__(self, profile: Path):
        from websockets.sync.client import connect

        browser = shutil.which("chromium") or shutil.which("chromium-browser")
        if browser is None:
            pytest.skip("chromium is not installed (`make test-browser` installs it)")
        self.proc = subprocess.Popen(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
             "--disable-background-networking", "--disable-component-update", "--remote-debugging-port=0",
             f"--user-data-dir={profile}", "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.exists() and len(port_file.read_text().split()) == 2):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.close()
                pytest.fail("chromium did not open its DevTools port")
            time.sleep(0.1)
        port, path = port_file.read_text().split()
        self.ws = connect(f"ws://127.0.0.1:{port}{path}", max_size=None, open_timeout=30, legacy=True)
        self._id = 0

    def call(self, method: str, **params) -> dict:
        self._id += 1
        self.ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv(timeout=30))
            if message.get("id") == self._id:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                return message["result"]

    def close(self) -> None:
        if getattr(self, "ws", None):
            self.ws.close()
        self.proc.kill()
        self.proc.wait()


def _serve_pages(folder: Path, port: int, collector_port: int, key: str) -> http.server.ThreadingHTTPServer:
    folder.mkdir()
    tag = f'<script async src="http://127.0.0.1:{collector_port}/tag.js" data-key="{key}"></script>'
    (folder / "landing.html").write_text(
        "<!doctype html><title>ad</title><script>location.href = "
        "'/shop.html?utm_source=newsletter&utm_medium=email&utm_campaign=june';</script>")
    (folder / "shop.html").write_text(f"<!doctype html><title>shop</title>{tag}<h1>Shop</h1>")
    (folder / "product.html").write_text(f"<!doctype html><title>product</title>{tag}<h1>Product</h1>")
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", port), partial(_QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _wait_for_spooled(spool: Path, needle: str, count: int = 1, seconds: float = 60) -> list[dict]:
    """Events holding `needle`, read from the collector's segments (open ones are fdatasync'd too)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = [json.loads(line) for path in spool.glob("*.ndjson*") for line in path.read_text().splitlines()
                 if needle in line]
        if len(found) >= count:
            return found
        time.sleep(0.2)
    raise AssertionError(f"no event with {needle!r} reached the spool in {seconds} s")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("eventapi")
    project = ProjectCopy(root / "project")
    pages_port = free_port()
    spool = project.root / "spool"
    webshop = ["add-retailer", "webshop", "--cadence", "hourly"]
    for dataset, fmt in (("visits", "symbiosys_visits_csv"), ("orders", "symbiosys_orders_csv")):
        webshop += ["--dataset", f"{dataset}:{fmt}:{spool / 'webshop' / dataset}",
                    "--option", f"{dataset}:source=event_api",
                    "--option", f"{dataset}:write_key_env=WEBSHOP_{dataset.upper()}_KEY"]
    webshop += ["--option", f"visits:cors_origins=http://127.0.0.1:{pages_port}"]
    result = project.cli(*webshop)
    assert result.code == 0, result.err
    result = project.cli("add-retailer", "fileshop",
                         "--dataset", f"visits:symbiosys_visits_csv:{project.data}/fileshop/fileshop_visits_*.csv",
                         "--dataset", f"orders:symbiosys_orders_csv:{project.data}/fileshop/fileshop_orders_*.csv")
    assert result.code == 0, result.err

    visits, orders = _visits(), _orders()
    stamp = f"{TODAY:%Y%m%d}"
    _write_csv(project.data / "fileshop" / f"fileshop_visits_{stamp}.csv", VISIT_FIELDS, visits)
    _write_csv(project.data / "fileshop" / f"fileshop_orders_{stamp}.csv", ORDER_FIELDS, orders)

    env = {**project.env, **KEYS}
    server = Server(project.root, env)
    verdicts, cookies = {}, {}
    pages = None
    try:
        vkey, okey = KEYS["WEBSHOP_VISITS_KEY"], KEYS["WEBSHOP_ORDERS_KEY"]
        for view in visits[:4]:                                   # one event per request
            assert server.post(view, vkey)[:2] == (200, {"accepted": 1})
        assert server.post(visits[4:14], vkey)[:2] == (200, {"accepted": 10})        # a batch
        ndjson = "".join(json.dumps(v) + "\n" for v in visits[14:])                   # NDJSON
        assert server.post(ndjson, vkey, "application/x-ndjson")[:2] == (200, {"accepted": 10})
        assert server.post(orders, okey)[:2] == (200, {"accepted": 4})
        # the tricky events are people of their own: they must not join the sessions compared below
        stranger = {"visitor_id": "tricky-visitor", "session_id": "tricky-session", "crm_id": "tricky-crm"}
        for kind, tricky, base, key in (("visits", TRICKY_VISITS, {**visits[0], **stranger}, vkey),
                                        ("orders", TRICKY_ORDERS, {**orders[1], **stranger}, okey)):
            events = []
            for n, change in enumerate(tricky):
                event = {**base, **change, ("event_id" if kind == "visits" else "order_id"): f"tricky-{kind}-{n}"}
                events.append({k: v for k, v in event.items() if v is not None})
            status, body, _ = server.post(events, key)
            assert status in (200, 400)
            flagged = {e["index"]: e["problems"] for e in body.get("errors", [])}
            verdicts.update({f"tricky-{kind}-{n}": flagged.get(n, []) for n in range(len(events))})

        pages = _serve_pages(root / "pages", pages_port, server.port, vkey)
        chromium = Chromium(root / "chromium")
        try:
            chromium.call("Target.createTarget", url=f"http://127.0.0.1:{pages_port}/landing.html")
            _wait_for_spooled(project.root / "spool" / "webshop" / "visits", "utm_campaign=june")
            chromium.call("Target.createTarget", url=f"http://127.0.0.1:{pages_port}/product.html")
            _wait_for_spooled(project.root / "spool" / "webshop" / "visits", "/product.html")
            cookies = {c["name"]: c["value"] for c in chromium.call("Storage.getCookies")["cookies"]}
        finally:
            chromium.close()
    finally:
        if pages:
            pages.shutdown()
        server.stop()
    run = project.cli("run")
    return {"project": project, "run": run, "verdicts": verdicts, "cookies": cookies, "pages_port": pages_port}


def _rows(project: ProjectCopy, sql: str, retailer: str) -> list[tuple]:
    return sorted(project.query(sql, [retailer]), key=repr)


def test_run_lands_the_segments_and_builds(built):
    assert built["run"].code == 0, built["run"].err
    project = built["project"]
    manifest = project.query("select status, count(*) from loader.files where retailer = 'webshop' group by 1")
    assert manifest == [("landed", 2)], manifest   # one closed segment per source
    assert "dbt build" in built["run"].err
    assert project.query("select count(*) from main.fct_page_views where retailer = 'webshop'")[0][0] > 0


PAGE_VIEW_COLUMNS = ("event_id, visitor_id, crm_id, session_id, campaign_id, event_type, page_url, referrer_url, "
                     "utm_source, utm_medium, utm_campaign, utm_term, utm_content, platform, device_type, user_agent, "
                     "viewed_date, file_date, days_late, viewed_at")
ORDER_COLUMNS = ("order_id, visitor_id, crm_id, session_id, currency_code, coupon_code, product_ids, platform, "
                 "revenue, item_count, ordered_date, file_date, ordered_at")


def test_page_views_are_identical_to_the_same_events_delivered_as_a_file(built):
    project = built["project"]
    sql = (f"select {PAGE_VIEW_COLUMNS} from main.fct_page_views where retailer = ? "
           "and event_id not like 'tricky-%' and page_url not like 'http://127.0.0.1%'")
    api, files = _rows(project, sql, "webshop"), _rows(project, sql, "fileshop")
    assert len(files) == len(_visits())
    assert api == files


def test_orders_and_attribution_are_identical_to_the_file_delivery(built):
    project = built["project"]
    sql = f"select {ORDER_COLUMNS} from main.fct_orders where retailer = ? and order_id not like 'tricky-%'"
    api, files = _rows(project, sql, "webshop"), _rows(project, sql, "fileshop")
    assert len(files) == len(_orders()) and api == files
    columns = [c for (c,) in project.query(
        "select column_name from information_schema.columns where table_name = 'fct_order_attribution' "
        "and column_name not like '%key%' and column_name not like '%\\_id' escape '\\' and column_name <> 'retailer'")]
    columns += ["order_id"]
    sql = (f"select {', '.join(columns)} from main.fct_order_attribution where retailer = ? "
           "and order_id not like 'tricky-%'")
    api, files = _rows(project, sql, "webshop"), _rows(project, sql, "fileshop")
    assert len(files) == len(_orders()) and api == files
    assert any(row[columns.index("attribution_status")] != "unattributed" for row in api)


def test_the_collectors_400_verdicts_are_stagings(built):
    project = built["project"]
    staged = dict(project.query(
        "select event_id, _rejection_reason from main.stg_webshop__visits where event_id like 'tricky-%' "
        "union all select order_id, _rejection_reason from main.stg_webshop__orders where order_id like 'tricky-%'"))
    verdicts = built["verdicts"]
    assert set(staged) == set(verdicts)
    disagreements = {}
    for event, problems in verdicts.items():
        reasons = sorted(r.strip() for r in (staged[event] or "").split(";") if r.strip())
        if sorted(problems) != reasons:
            disagreements[event] = (problems, reasons)
    assert not disagreements
    assert sum(1 for p in verdicts.values() if p) >= 15, "the tricky values should include many bad ones"
    rejected = project.query("select count(*) from main.audit_rejected_rows where retailer = 'webshop'")[0][0]
    assert rejected == sum(1 for p in verdicts.values() if p)


def test_the_tag_sends_a_page_view_with_visitor_cookie_url_referrer_and_utm(built):
    project, port = built["project"], built["pages_port"]
    cookies = built["cookies"]
    assert cookies.get("_ri_vid") and cookies.get("_ri_sid")
    rows = project.query(
        "select page_url, referrer_url, utm_source, utm_medium, utm_campaign, visitor_id, session_id, platform, "
        "user_agent is not null from main.fct_page_views where retailer = 'webshop' "
        "and page_url like 'http://127.0.0.1%' order by viewed_at")
    base = f"http://127.0.0.1:{port}"
    assert rows == [
        (f"{base}/shop.html?utm_source=newsletter&utm_medium=email&utm_campaign=june", f"{base}/landing.html",
         "newsletter", "email", "june", cookies["_ri_vid"], cookies["_ri_sid"], "web", True),
        (f"{base}/product.html", None, None, None, None, cookies["_ri_vid"], cookies["_ri_sid"], "web", True),
    ]
