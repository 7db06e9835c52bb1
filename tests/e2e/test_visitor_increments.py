"""The visitor models built one delivery at a time equal a full rebuild, on the cases
that make incremental sessions, identities and attribution hard.

Five days of visits and orders of acme (comma, event ids; some visitors without
session ids, so their visits are cut by inactivity) and zephyr (tab, no event ids,
no session ids), delivered in five runs through the real CLI and dbt: day 1, day 3,
day 2 (a day-3 file before day 2), day 4 with day 2's acme files delivered again,
changed, then day 5 with late events. The same final files back-filled into an
empty warehouse in one build must give the same rows in every visitor model, and
each story below must come out as written (expectations worked out by hand):

- merge: a late page view bridges two visits cut by inactivity into one;
- split: a re-delivery moves a page view out of a visit, which falls in three;
  another page view moves to another visitor id, whose only visit vanishes;
- login: a visitor id logs in after its user ordered from another device, and the
  order takes the campaign of the visitor id's earlier, anonymous visit;
- late login: a late sighting moves the cut between two users of a kiosk, and an
  anonymous order changes user;
- identity split: a late sighting of another CRM id splits a period in three;
- shared: a visitor id reaches three CRM ids, stops being stitched, and an order
  loses the campaign visit it had through it;
- late visit: a visit two days late renumbers the visitor id's later visits;
- reused session id: a session id sent again three days later is another visit,
  and a late page view between them joins neither;
- long visit: a session id with a page view every day, never 24 hours apart, is
  one visit of five days, which the last day's page view still reaches;
- bot: late page views push a visitor-day over the per-minute limit; its order
  is no longer attributed;
- moved order: a re-delivered order changes time and visitor id, and its credit.
"""

from __future__ import annotations

import csv
import json
import random
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from conftest import ROOT, make_delivery_folders, run_cli

pytestmark = pytest.mark.dbt

DAYS = [date(2024, 6, 1) + timedelta(days=i) for i in range(5)]
VISIT_COLUMNS = ["event_id", "event_time", "visitor_id", "crm_id", "session_id", "url", "referrer",
                 "utm_source", "utm_medium", "utm_campaign", "platform", "user_agent"]
ORDER_COLUMNS = ["order_id", "event_time", "visitor_id", "crm_id", "session_id", "revenue", "currency"]
BROWSER = "Mozilla/5.0 (X11; Linux x86_64)"
# the visitor models compared, without _changes_load_id (which run wrote a row); the change
# feed is history (every version delivered), compared by its newest version of each event
VISITOR_MODELS = ["int_sessions", "int_page_views__sessionized", "int_visitor_days",
                  "int_crm_id_days", "int_identity_observations", "dim_visitor_identities", "fct_order_attribution",
                  "audit_visitor_id_health", "audit_visitor_id_anomalies"]
# the visitor models, their marts and what they are built from; data tests only in the last run
SELECT = ["--dbt-arg=--select=+fct_order_attribution +audit_visitor_id_health +audit_visitor_id_anomalies "
          "+int_page_views__sessionized", "--dbt-arg=--indirect-selection=cautious"]


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> str:
    moment = datetime(DAYS[day - 1].year, DAYS[day - 1].month, DAYS[day - 1].day, hour, minute, second)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def view(event_id, moment, visitor, session="", crm="", page="/", campaign=("", "", "")):
    source, medium, name = campaign
    return {"event_id": event_id, "event_time": moment, "visitor_id": visitor, "crm_id": crm, "session_id": session,
            "url": f"https://shop.example{page}", "referrer": "", "utm_source": source, "utm_medium": medium,
            "utm_campaign": name, "platform": "web", "user_agent": BROWSER}


def order(order_id, moment, visitor="", crm="", revenue="20.00"):
    return {"order_id": order_id, "event_time": moment, "visitor_id": visitor, "crm_id": crm, "session_id": "",
            "revenue": revenue, "currency": "EUR"}


def background(retailer: str, day: int, rng: random.Random) -> tuple[list, list]:
    """Returning visitors, some logged in, a fifth of their visits one or two days late."""
    visits, orders = [], []
    for n in range(25):
        number = rng.randrange(40)
        visitor, crm = f"{retailer[0]}{number:03d}", (f"c-{retailer[0]}{number:03d}" if number % 3 == 0 else "")
        late = rng.choices([0, 1, 2], weights=[80, 12, 8])[0]
        event_day = max(1, day - late)
        start = rng.randrange(8 * 60, 22 * 60)
        sent = retailer == "acme" and number % 4 != 0
        for step in range(1 + n % 3):
            minutes = start + step * 4
            visits.append(view(f"{retailer}-{day}-{n}-{step}", at(event_day, minutes // 60, minutes % 60), visitor,
                               session=f"s{day}-{n}" if sent else "", crm=crm if step == 1 else "",
                               page=f"/p/{n}/{step}", campaign=("google", "cpc", "summer") if step == 0 and n % 4 == 1
                               else ("", "", "")))
        if n % 6 == 0:
            orders.append(order(f"{retailer[0].upper()}{day}{n:02d}", at(event_day, minutes // 60, minutes % 60 + 1),
                                visitor=visitor, crm=crm))
    return visits, orders


def stories(day: int, redelivered: bool = False) -> dict[str, tuple[list, list]]:
    """The hard cases, as acme and zephyr rows of the file of `day` (see the module docstring)."""
    acme_v, acme_o, zephyr_v, zephyr_o = [], [], [], []
    if day == 1:
        zephyr_v += [view("", at(1, 10, 0), "z-merge", page="/a"), view("", at(1, 10, 20), "z-merge", page="/b"),
                     view("", at(1, 11, 0), "z-merge", page="/c")]
        acme_v += [view("login-1", at(1, 11), "a-login", "s-login-1", campaign=("google", "cpc", "spring_launch")),
                   view("kiosk-1", at(1, 10), "a-kiosk", "s-k1", crm="c-k1"),
                   view("idsplit-1", at(1, 10), "a-idsplit", "s-i1", crm="c-a"),
                   view("shared-0", at(1, 9), "a-shared", "s-sh0", campaign=("facebook", "paid_social", "retarget")),
                   view("shared-1", at(1, 10), "a-shared", "s-sh1", crm="c-s1"),
                   view("reuse-1", at(1, 10), "a-reuse", "s-reuse"),
                   view("long-1", at(1, 9), "a-long", "s-long")]
    if day == 2:
        zephyr_v += [view("", at(1, 10, 40), "z-merge", page="/late"), view("", at(2, 9), "z-merge", page="/d")]
        acme_v += [view("long-2", at(2, 8), "a-long", "s-long", page="/2"),
                   view("split-1", at(2, 14, 0), "a-split"),
                   view("split-2", at(2, 16, 0) if redelivered else at(2, 14, 20), "a-split", page="/2"),
                   view("split-3", at(2, 14, 40), "a-split", page="/3"),
                   view("move", at(2, 13), "a-move-to" if redelivered else "a-move-from", "s-move"),
                   view("kiosk-2", at(2, 7), "a-kiosk", "s-k2", campaign=("newsletter", "email", "kiosk_news")),
                   view("mv-1", at(2, 11), "a-mv1", "s-mv1", campaign=("newsletter", "email", "june")),
                   view("mv-2", at(2, 17), "a-mv2", "s-mv2", campaign=("google", "cpc", "evening"))]
        acme_o += [order("O-LOGIN", at(2, 12), crm="c-login"), order("O-KIOSK", at(2, 8), visitor="a-kiosk"),
                   order("O-SHARED", at(2, 15), crm="c-s1"),
                   order("O-MOVE", at(2, 18) if redelivered else at(2, 12), visitor="a-mv2" if redelivered else "a-mv1")]
    if day == 3:
        acme_v += [view("long-3", at(3, 7), "a-long", "s-long", page="/3"),
                   view("kiosk-3", at(3, 10), "a-kiosk", "s-k3", crm="c-k2"),
                   view("idsplit-3", at(3, 10), "a-idsplit", "s-i3", crm="c-a"),
                   view("late-3", at(3, 14), "a-late", "s-l3")]
        zephyr_v += [view("", at(3, 3, 0, second), "z-bot", page=f"/bot/{second}") for second in range(30)]
        zephyr_o += [order("Z-BOT", at(3, 3, 10), visitor="z-bot")]
    if day == 4:
        acme_v += [view("login-4", at(4, 9), "a-login", "s-login-2", crm="c-login"),
                   view("late-4", at(4, 14), "a-late", "s-l4"),
                   view("reuse-4", at(4, 10), "a-reuse", "s-reuse", page="/again"),
                   view("long-4", at(4, 6), "a-long", "s-long", page="/4"),
                   view("long-4b", at(4, 20), "a-long", "s-long", page="/4b")]
    if day == 5:
        acme_v += [view("kiosk-late", at(2, 10), "a-kiosk", "s-k2b", crm="c-k1"),
                   view("idsplit-late", at(2, 10), "a-idsplit", "s-i2", crm="c-b"),
                   view("shared-2", at(5, 9), "a-shared", "s-sh2", crm="c-s2"),
                   view("shared-3", at(5, 10), "a-shared", "s-sh3", crm="c-s3"),
                   view("late-visit", at(3, 8), "a-late", "s-l0"),
                   view("reuse-late", at(2, 20), "a-reuse", "s-reuse", page="/between"),
                   view("long-5", at(5, 8), "a-long", "s-long", page="/5")]
        zephyr_v += [view("", at(3, 3, 0, second), "z-bot", page=f"/late-bot/{second}") for second in range(30, 45)]
    return {"acme": (acme_v, acme_o), "zephyr": (zephyr_v, zephyr_o)}


def write_day(folder: Path, day: int, redelivered: bool = False, only: str | None = None) -> None:
    rng = random.Random(f"visitor-increments-{day}")
    told = stories(day, redelivered)
    for retailer, delimiter in (("acme", ","), ("zephyr", "\t")):
        if only and retailer != only:
            continue
        visits, orders = background(retailer, day, rng)
        visits, orders = visits + told[retailer][0], orders + told[retailer][1]
        if retailer == "zephyr":   # zephyr sends neither event ids nor session ids
            for row in visits:
                row["event_id"] = row["session_id"] = ""
        stamp = DAYS[day - 1].strftime("%Y%m%d")
        for dataset, columns, rows in (("visits", VISIT_COLUMNS, visits), ("orders", ORDER_COLUMNS, orders)):
            path = folder / retailer / dataset / f"{retailer}_{dataset}_{stamp}.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, columns, delimiter=delimiter, lineterminator="\n")
                writer.writeheader()
                writer.writerows(rows)


def deliveries(folder: Path) -> list:
    """What lands in each run: day 1, day 3, day 2, day 4 (and day 2's acme files
    again, changed), day 5."""
    return [lambda: write_day(folder, 1), lambda: write_day(folder, 3), lambda: write_day(folder, 2),
            lambda: (write_day(folder, 4), write_day(folder, 2, redelivered=True, only="acme")),
            lambda: write_day(folder, 5)]


def _env(base: Path, data: Path) -> dict:
    (base / "profiles").mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "profiles.yml.example", base / "profiles" / "profiles.yml")
    return {"RETAIL_WAREHOUSE": str(base / "warehouse.duckdb"), "RETAIL_DATA_DIR": str(data),
            "DBT_PROFILES_DIR": str(base / "profiles"), "DBT_TARGET_PATH": str(base / "target"),
            "DBT_LOG_PATH": str(base / "logs")}


def _build(env: dict, tests: bool, full_tests: bool = False) -> None:
    make_delivery_folders(ROOT, env)   # the demo's other sources deliver nothing here
    args = [*SELECT] if tests else [*SELECT, "--dbt-arg=--exclude-resource-type=test"]
    result = run_cli("run", *args, *(["--full-tests"] if full_tests else []), cwd=ROOT, env=env)
    assert result.code == 0, result.out[-4000:] + result.err[-3000:]


def _query(warehouse: Path, sql: str, params=None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _rows(warehouse: Path, model: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        columns = [name for (name,) in con.execute(
            "select column_name from information_schema.columns where table_schema = 'main' and table_name = ? "
            "order by ordinal_position", [model]).fetchall() if name not in ("_changes_load_id", "_load_id")]
        return con.execute(f"select {', '.join(columns)} from main.{model} order by all").fetchall()


ATTRIBUTION = """select order_id, user_key, attribution_status, first_touch_utm_campaign, first_touch_channel
                 from main.fct_order_attribution where order_id = ?"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("visitor_increments")
    daily, drop = tmp / "daily", tmp / "daily" / "drop"
    env = _env(daily, drop)
    seen = {}
    for number, deliver in enumerate(deliveries(drop), start=1):
        deliver()
        _build(env, tests=number == 5)
        if number == 3:   # days 1 to 3 delivered: before the login, the late login and the shared flip
            seen = {name: _query(daily / "warehouse.duckdb", ATTRIBUTION, [name])[0]
                    for name in ("O-LOGIN", "O-KIOSK", "O-SHARED", "Z-BOT")}
    backfill = tmp / "backfill"
    _build(_env(backfill, drop), tests=True, full_tests=True)   # every test, the whole-table checks too
    return {"daily": daily / "warehouse.duckdb", "backfill": backfill / "warehouse.duckdb", "after_day_3": seen,
            "daily_target": daily / "target", "backfill_target": backfill / "target"}


@pytest.mark.parametrize("model", VISITOR_MODELS)
def test_daily_runs_equal_one_backfill(built, model):
    daily, backfill = _rows(built["daily"], model), _rows(built["backfill"], model)
    assert daily == backfill
    assert daily, f"{model} is empty: the comparison would prove nothing"


def test_change_feed_holds_every_delivered_version_and_the_newest_is_the_backfill(built):
    newest = """select event_key, event_type, retailer, visitor_id, crm_id, session_id, event_at
                from int_visitor_event_changes
                qualify row_number() over (partition by event_key, event_type order by _load_id desc) = 1
                order by all"""
    assert _query(built["daily"], newest) == _query(built["backfill"], newest)
    # what the re-delivery replaced is kept: the moved page view and order, from their first visitor ids
    assert _query(built["daily"], """select event_type, previous_visitor_id, visitor_id from int_visitor_event_changes
                                     where previous_visitor_id != visitor_id order by 1""") == [
        ("order", "a-mv1", "a-mv2"), ("page_view", "a-move-from", "a-move-to")]


def _test_results(target: Path) -> dict[str, tuple[str, list[str]]]:
    """test name -> (status, tags) of the last build with that target folder."""
    manifest = json.loads((target / "manifest.json").read_text())
    results = json.loads((target / "run_results.json").read_text())["results"]
    return {manifest["nodes"][r["unique_id"]]["name"]: (r["status"], manifest["nodes"][r["unique_id"]]["tags"])
            for r in results if r["unique_id"].startswith("test.")}


def test_daily_build_tests_its_own_rows_and_full_tests_everything(built):
    builds = _query(built["daily"], "select last_load_id, tests_after_load_id, succeeded from loader.builds order by 1")
    assert len(builds) == 5 and all(ok for *_, ok in builds)
    # each daily build tested the rows after the newest load of the build before it
    assert [after for _, after, _ in builds] == [0] + [last for last, _, _ in builds[:-1]]
    daily, full = _test_results(built["daily_target"]), _test_results(built["backfill_target"])
    assert not [name for name, (_, tags) in daily.items() if "whole_table" in tags]
    whole = {name for name, (_, tags) in full.items() if "whole_table" in tags}
    assert {"assert_every_order_has_one_attribution_row", "assert_no_bot_visit_is_credited",
            "unique_int_page_views__sessionized_page_view_id"} <= whole
    assert all(full[name][0] == "pass" for name in whole)
    # a scoped key test reads the rows sharing a key with this run's rows
    compiled = next((built["daily_target"] / "run").rglob("unique_int_sessions_session_key.sql")).read_text()
    assert f"_changes_load_id > {builds[-1][1]}" in compiled and "run_rows.session_key = tested_rows.session_key" in compiled


def test_late_page_view_merges_two_visits_and_renumbers_the_next(built):
    rows = _query(built["daily"], """select started_at, ended_at, page_views, visitor_session_number
                                     from int_sessions where visitor_id = 'z-merge' order by started_at""")
    assert rows == [(datetime(2024, 6, 1, 10), datetime(2024, 6, 1, 11), 4, 1),
                    (datetime(2024, 6, 2, 9), datetime(2024, 6, 2, 9), 1, 2)]


def test_redelivered_page_views_split_a_visit_and_empty_a_visitor_id(built):
    starts = _query(built["daily"], "select started_at from int_sessions where visitor_id = 'a-split' order by 1")
    assert [s for (s,) in starts] == [datetime(2024, 6, 2, 14), datetime(2024, 6, 2, 14, 40), datetime(2024, 6, 2, 16)]
    for model in ("int_sessions", "int_visitor_days", "int_page_views__sessionized"):
        assert _query(built["daily"], f"select count(*) from {model} where visitor_id = 'a-move-from'") == [(0,)]
        assert _query(built["daily"], f"select count(*) from {model} where visitor_id = 'a-move-to'") == [(1,)]


def test_login_after_the_order_credits_the_earlier_anonymous_campaign_visit(built):
    assert built["after_day_3"]["O-LOGIN"] == ("O-LOGIN", "crm:c-login", "unattributed", None, None)
    assert _query(built["daily"], ATTRIBUTION, ["O-LOGIN"]) == [
        ("O-LOGIN", "crm:c-login", "attributed", "spring_launch", "paid_search")]


def test_late_sighting_moves_the_kiosk_cut_and_the_anonymous_order_changes_user(built):
    assert built["after_day_3"]["O-KIOSK"] == ("O-KIOSK", "crm:c-k2", "attributed", "kiosk_news", "email")
    # now c-k1's: its own visit of day 1, direct, comes first
    assert _query(built["daily"], ATTRIBUTION, ["O-KIOSK"]) == [("O-KIOSK", "crm:c-k1", "attributed", None, "direct")]


def test_late_sighting_of_another_crm_id_splits_a_period(built):
    periods = _query(built["daily"], """select crm_id, observations, valid_after, valid_until
                                        from dim_visitor_identities where visitor_id = 'a-idsplit' order by period_number""")
    assert periods == [("c-a", 1, None, datetime(2024, 6, 1, 10)),
                       ("c-b", 1, datetime(2024, 6, 1, 10), datetime(2024, 6, 2, 10)),
                       ("c-a", 1, datetime(2024, 6, 2, 10), None)]


def test_visitor_id_turned_shared_no_longer_stitches_the_campaign_visit(built):
    assert built["after_day_3"]["O-SHARED"] == ("O-SHARED", "crm:c-s1", "attributed", "retarget", "paid_social")
    assert _query(built["daily"], ATTRIBUTION, ["O-SHARED"]) == [("O-SHARED", "crm:c-s1", "attributed", None, "direct")]
    assert _query(built["daily"], "select distinct is_shared_visitor_id from dim_visitor_identities "
                                  "where visitor_id = 'a-shared'") == [(True,)]


def test_late_visit_renumbers_the_later_visits(built):
    rows = _query(built["daily"], """select session_id, visitor_session_number from int_sessions
                                     where visitor_id = 'a-late' order by started_at""")
    assert rows == [("s-l0", 1), ("s-l3", 2), ("s-l4", 3)]


def test_session_id_sent_again_days_later_is_another_visit(built):
    rows = _query(built["daily"], """select started_at, page_views, visitor_session_number, is_latest_visit
                                     from int_sessions where visitor_id = 'a-reuse' order by started_at""")
    assert rows == [(datetime(2024, 6, 1, 10), 1, 1, False), (datetime(2024, 6, 2, 20), 1, 2, False),
                    (datetime(2024, 6, 4, 10), 1, 3, True)]


def test_a_long_visit_is_still_reached_by_its_last_page_view(built):
    rows = _query(built["daily"], """select started_at, ended_at, page_views from int_sessions
                                     where visitor_id = 'a-long'""")
    assert rows == [(datetime(2024, 6, 1, 9), datetime(2024, 6, 5, 8), 6)]


def test_every_visitor_id_has_one_latest_visit_numbered_last(built):
    assert _query(built["daily"], """select count(*) from (
                                         select retailer, visitor_id from int_sessions group by all
                                         having count_if(is_latest_visit) != 1
                                             or max(visitor_session_number) != max(case when is_latest_visit
                                                                                        then visitor_session_number end)
                                     )""") == [(0,)]


def test_late_page_views_make_a_bot_whose_order_loses_its_credit(built):
    assert built["after_day_3"]["Z-BOT"][2] == "attributed"
    assert _query(built["daily"], ATTRIBUTION, ["Z-BOT"]) == [("Z-BOT", "visitor:z-bot", "unattributed", None, None)]
    assert _query(built["daily"], """select page_views, is_bot from int_visitor_days
                                     where visitor_id = 'z-bot' and activity_date = '2024-06-03'""") == [(45, True)]


def test_redelivered_order_follows_its_new_time_and_visitor(built):
    assert _query(built["daily"], ATTRIBUTION, ["O-MOVE"]) == [("O-MOVE", "visitor:a-mv2", "attributed", "evening", "paid_search")]
