"""The E-goi Contacts source against a local E-goi API: paging, segments, retries, failures, the key.

Through the real CLI (`land`, `status`, `schedule`) on a mini project; the
API is tests/servers/egoi_server.py on 127.0.0.1 with E-goi's documented
response shapes. Expected records are the spec's mapping computed in the
test (egoi_api.expected_record).
"""

from __future__ import annotations

import hashlib

import duckdb
import pytest
from delivery import declare
from egoi_api import API_KEY, ACCOUNT_ID, LIST_ID, SEGMENT_ID, EgoiApi, expected_record, personal_strings, \
    sample_contacts, warehouse_text

ENV = {"EGOI_TEST_KEY": API_KEY}
DELIVERY = f"egoi://account{ACCOUNT_ID}/list{LIST_ID}-contacts.jsonl"
SPEC_SENTENCE = "Notice that the user import from this type of Source does not allow you to specify any transformations."


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    server = EgoiApi(tmp_path_factory.mktemp("egoi"))
    yield server
    server.stop()


@pytest.fixture
def shop(mini, api):
    """A mini project whose retailer `shop` imports E-goi list 321 in pages of 3; the API starts as sample_contacts."""
    api.set(lists={LIST_ID: sample_contacts()})
    api.forget_requests()
    declare(mini, "shop", {"contacts": block(api)})
    return mini


def block(api: EgoiApi | None, **extra) -> dict:
    return {"source": "egoi_contacts", "format": "egoi_contacts", "list_id": int(LIST_ID),
            "api_key_env": "EGOI_TEST_KEY", "base_url": api.url if api else None, "page_size": 3,
            "request_retries": 2, "request_backoff_seconds": 0.1, "request_max_wait_seconds": 5,
            "request_timeout_seconds": 2, **extra}


def land(mini, *args, env=ENV):
    result = mini.cli("land", *args, env=env)
    assert API_KEY not in result.out + result.err
    return result


def raw_records(mini) -> list[dict]:
    """The raw rows as the spec's mapping: contact id, e-mail hash and attributes (columns egoi.*)."""
    with duckdb.connect(str(mini.warehouse), read_only=True) as con:
        cursor = con.execute("select * from raw_shop.contacts order by _line_number")
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, r)) for r in cursor.fetchall()]
    return [{"contact_id": r["contact_id"], "email_sha256": r.get("email_sha256"),
             "attributes": {k: v for k, v in r.items() if k.startswith("egoi.") and v is not None}} for r in rows]


def contact_requests(api: EgoiApi) -> list[dict]:
    return [r for r in api.requests() if r["path"].startswith("/lists/")]


def test_a_list_lands_page_by_page_as_one_delivery_mapped_as_the_spec_says(shop, api):
    result = land(shop)
    assert result.code == 0, result.err
    assert "1 landed, 0 unchanged, 0 failed" in result.err

    # the account id is asked of the API first, then every page of the list
    requests = api.requests()
    assert requests[0]["path"] == "/my-account"
    assert [(r["path"], r["query"]) for r in requests[1:]] == [
        (f"/lists/{LIST_ID}/contacts", {"offset": str(k), "limit": "3"}) for k in (0, 3, 6)]

    served = sample_contacts()
    assert raw_records(shop) == [expected_record(c) for c in served]
    assert shop.query(
        "select file_name, status, rows_read, rows_landed, rows_rejected, pages, message from loader.files") == [
        (DELIVERY, "landed", 7, 7, 0, 3, f"E-goi account {ACCOUNT_ID}, list {LIST_ID}: 3 pages, 7 contacts")]
    assert shop.query("select min(_line_number), max(_line_number), count(distinct _line_number), "
                      "min(_source_file) from raw_shop.contacts") == [(1, 7, 7, DELIVERY)]

    # no plain e-mail, phone, name or extra field anywhere, nor the key
    stored = warehouse_text(shop.warehouse)
    leaked = sorted(s for s in personal_strings(served) | {API_KEY, "loyalty card"} if s in stored)
    assert not leaked
    assert hashlib.sha256(b"ana.sousa@example.pt").hexdigest() in stored

    status = shop.cli("status", "--files")
    assert status.code == 0 and "3 pages, 7 contacts" in status.out


def test_the_same_answer_again_is_unchanged_and_a_changed_one_replaces_the_delivery(shop, api):
    assert land(shop).code == 0
    first_load = shop.query("select load_id from loader.files")
    again = land(shop)
    assert again.code == 0 and "0 landed, 1 unchanged, 0 failed" in again.err
    assert shop.query("select load_id from loader.files") == first_load

    changed = sample_contacts()
    changed[1]["base"]["status"] = "active"
    changed.append(changed.pop(0))   # the API's order may change too
    api.set(lists={LIST_ID: changed})
    result = land(shop)
    assert result.code == 0 and "1 landed" in result.err
    assert raw_records(shop) == [expected_record(c) for c in changed]
    assert shop.query("select count(*), count(distinct _load_id) from raw_shop.contacts") == [(7, 1)]
    assert shop.query("select count(*) from loader.files") == [(1,)]


def test_a_segment_lands_only_its_contacts(mini, api):
    served = sample_contacts()
    members = [served[i]["base"]["contact_id"] for i in (0, 2, 5)]
    api.set(lists={LIST_ID: served}, segments={LIST_ID: {SEGMENT_ID: members}})
    api.forget_requests()
    declare(mini, "shop", {"contacts": block(api, segment_id=int(SEGMENT_ID))})
    result = land(mini)
    assert result.code == 0, result.err
    assert {r["path"] for r in contact_requests(api)} == {f"/lists/{LIST_ID}/contacts/segment/{SEGMENT_ID}"}
    assert raw_records(mini) == [expected_record(served[i]) for i in (0, 2, 5)]
    assert mini.query("select file_name, pages from loader.files") == [
        (f"egoi://account{ACCOUNT_ID}/list{LIST_ID}-segment{SEGMENT_ID}-contacts.jsonl", 1)]


def test_a_429_is_retried_after_the_wait_the_api_asks(shop, api):
    api.set(faults=[{"path": f"/lists/{LIST_ID}/contacts", "offset": 3, "status": 429, "retry_after": 1, "times": 1}])
    result = land(shop)
    assert result.code == 0, result.err
    at_3 = [r for r in contact_requests(api) if r["query"]["offset"] == "3"]
    assert [r["status"] for r in at_3] == [429, 200]
    assert at_3[1]["time"] - at_3[0]["time"] >= 0.9          # Retry-After: 1
    assert len(raw_records(shop)) == 7


def test_a_timeout_is_retried(shop, api):
    api.set(faults=[{"path": f"/lists/{LIST_ID}/contacts", "offset": 0, "delay": 4, "times": 1}])
    result = land(shop)
    assert result.code == 0, result.err
    assert len([r for r in contact_requests(api) if r["query"]["offset"] == "0"]) >= 1
    assert len(raw_records(shop)) == 7


def test_a_500_that_persists_fails_the_run_and_lands_nothing(shop, api):
    assert land(shop).code == 0
    before = shop.query("select * from raw_shop.contacts order by _line_number")
    changed = sample_contacts()
    changed[0]["base"]["status"] = "inactive"
    api.set(lists={LIST_ID: changed},
            faults=[{"path": f"/lists/{LIST_ID}/contacts", "offset": 3, "status": 500, "times": -1}])
    api.forget_requests()

    result = land(shop)
    assert result.code == 1
    problem = (f"GET /lists/{LIST_ID}/contacts?offset=3&limit=3: HTTP 500 (fault; injected by the test) "
               "after 3 tries")
    assert f"{DELIVERY}: {problem}" in result.err
    assert len([r for r in contact_requests(api) if r["query"]["offset"] == "3"]) == 3   # 1 + request_retries
    # the first page of the changed list was read, but nothing of this run landed
    assert shop.query("select * from raw_shop.contacts order by _line_number") == before
    assert shop.query("select status, message from loader.files") == [("failed", problem)]

    api.set(faults=[])
    result = land(shop)
    assert result.code == 0 and "1 landed" in result.err
    assert raw_records(shop)[0] == expected_record(changed[0])


def test_a_wrong_key_fails_with_a_clear_message_and_lands_nothing(shop, api):
    wrong = "not-the-key-0000"
    result = land(shop, env={"EGOI_TEST_KEY": wrong})
    assert result.code == 1
    assert ("cannot read the account (Get My Account Info): GET /my-account: HTTP 401 (Unauthorized; The request "
            "has not been applied because it lacks valid authentication credentials for the target resource): "
            "the API key was refused") in result.err
    assert wrong not in result.out + result.err
    assert not contact_requests(api)
    assert shop.query("select count(*) from raw_shop.contacts") == [(0,)]


def test_an_api_that_cannot_be_reached_fails_the_source_with_the_cause(shop):
    from backends import free_port

    declare(shop, "shop", {"contacts": {**block(None), "base_url": f"http://127.0.0.1:{free_port()}"}})
    result = land(shop)
    assert result.code == 1
    assert "GET /my-account: no answer after 3 tries (NewConnectionError:" in result.err
    assert "Connection refused" in result.err


def test_the_key_comes_from_a_credentials_profile_too(shop, api, tmp_path):
    profiles = tmp_path / "credentials.yml"
    profiles.write_text(f"egoi-shop:\n  api_key: {API_KEY}\n")
    declare(shop, "shop", {"contacts": {**{k: v for k, v in block(api).items() if k != "api_key_env"},
                                        "credentials": "egoi-shop"}})
    result = land(shop, env={"RETAIL_CREDENTIALS": str(profiles)})
    assert result.code == 0, result.err
    assert len(raw_records(shop)) == 7


@pytest.mark.parametrize("change, message", [
    ({"transformations": [{"rename": "status", "to": "state"}]}, SPEC_SENTENCE),
    ({"casts": {"status": "string"}}, SPEC_SENTENCE),
    ({"api_key": "a-literal-key-123"}, "option 'api_key' holds a literal secret"),
    ({"list_id": None}, "meta.loader.list_id must be the numeric id of the E-goi list"),
    ({"segment_id": "vip"}, "meta.loader.segment_id must be the numeric id of an E-goi segment"),
    ({"location": "drop/x/*"}, "meta.loader.location: an egoi_contacts source has none"),
    ({"api_key_env": None}, "the E-goi API key is missing"),
    ({"page_size": 5000}, "page_size must be a whole number from 1 to 1000"),
])
def test_a_source_it_cannot_serve_is_refused_before_any_request(shop, api, change, message):
    declare(shop, "shop", {"contacts": {k: v for k, v in {**block(api), **change}.items() if v is not None}})
    result = land(shop)
    assert result.code == 1 and message in result.err, result.err
    assert not api.requests()


def test_a_schedule_runs_it_like_a_file_source(shop, api):
    result = shop.cli("schedule", "0 0 1 1 *", "--now", "--max-runs", "1", env=ENV)
    assert result.code == 0, result.err
    assert "1 landed, 0 unchanged, 0 failed" in result.err and API_KEY not in result.err
    assert len(raw_records(shop)) == 7


def test_ctrl_c_while_the_pages_are_fetched_ends_the_run_cancelled_with_nothing_landed(shop, api, monkeypatch):
    """An API delivery goes through the stages of any delivery (issue 22.7): interrupted while it is fetched,
    the run ends `cancelled` (exit 130), the delivery is marked cancelled and the next run lands it whole."""
    from click.testing import CliRunner

    from loaders import discovery
    from loaders.cli import cli

    def interrupted(delivery, fetched, dest):
        with open(dest, "w") as partial:
            partial.write('{"half": "a page"}\n')
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.chdir(shop.root)
        patch.setattr(discovery, "write_json_lines", interrupted)
        result = CliRunner().invoke(cli, ["--warehouse", str(shop.warehouse), "land"], env=ENV)
    assert result.exit_code == 130, result.output
    ((status, message),) = shop.query("select status, message from loader.files")
    assert status == "cancelled" and message.startswith("interrupted during download: nothing of this version")
    assert shop.query("select command, status, message from loader.runs") == [("land", "cancelled", "interrupted")]
    assert shop.query("select count(*) from raw_shop.contacts") == [(0,)]

    landed = land(shop)
    assert landed.code == 0 and "1 landed" in landed.err, landed.err
    assert len(raw_records(shop)) == len(sample_contacts())
