"""Deliveries and the audits the specs ask for, through the real CLI and dbt (issue 22 points 1, 3, 4, 10, 11).

A copy of the project gets two retailers, onboarded with the real
add-retailer verb:

- wren delivers hourly (spec 000) visits and daily orders and store
  purchases. On June 1st it tracks every page (three-page sessions, orders
  in tracked sessions, store customers who are its web CRM ids), except that
  the 10:00 file never comes; on June 2nd it sends landing pages only, orders
  from sessions it never tracked, and store purchases by loyalty card;
- heron sends its conversions as the vendor's page prints JSON rows (spec
  002), then a second file for the same date.

One `run`, then an `import` of heron's second file (two dbt builds). The
expected counts are worked out here from the files written.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import duckdb
import pytest

from conftest import ROOT, ProjectCopy

pytestmark = pytest.mark.dbt

SPECS = ROOT.parent / "shared" / "vendor-specs"
DAY1, DAY2 = date(2024, 6, 1), date(2024, 6, 2)
HOURS = {DAY1: [8, 9, 11, 12], DAY2: [8, 9]}        # hourly visit files delivered (10:00 of June 1st is missing)
VISIT_COLUMNS = "event_id,event_time,visitor_id,crm_id,session_id,url,user_agent"
ORDER_COLUMNS = "order_id,event_time,visitor_id,crm_id,session_id,revenue,currency"
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36"


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def wren_files() -> dict[str, list[str]]:
    """name -> lines; and what is in them is the expectation."""
    files: dict[str, list[str]] = {}
    # June 1st: 60 visitors, one three-page session each; the first 25 log in on the second page and order
    for hour in HOURS[DAY1]:
        views = []
        for n in range(60):
            if 8 + n % 4 + (1 if 8 + n % 4 >= 10 else 0) != hour:
                continue
            start = datetime(2024, 6, 1, hour, n % 50)
            crm = f"crm-{n}" if n < 25 else ""
            for step, page in enumerate(["/", "/shoes", "/cart"]):
                views.append(f"d1-{n}-{step},{_stamp(start + timedelta(minutes=step))},v{n},{crm if step else ''},"
                             f"s{n},https://wren.example{page}?utm_source=news,{BROWSER}")
        files[f"visits/wren_visits_20240601{hour:02d}.csv"] = views
    # June 2nd: landing pages only, 60 visitors each on their own campaign page
    for hour in HOURS[DAY2]:
        files[f"visits/wren_visits_20240602_{hour:02d}.csv"] = [
            f"d2-{n},{_stamp(datetime(2024, 6, 2, hour, n))},w{n},,t{n},"
            f"https://wren.example/promo/{n}?utm_id=x,{BROWSER}"
            for n in range(30 * (hour - 8), 30 * (hour - 7))]
    first_hour = {n: 8 + n % 4 + (1 if 8 + n % 4 >= 10 else 0) for n in range(25)}
    files["orders/wren_orders_20240601.csv"] = [
        f"A{n},{_stamp(datetime(2024, 6, 1, first_hour[n], n % 50) + timedelta(minutes=5))},v{n},crm-{n},s{n},50.00,EUR"
        for n in range(25)]
    files["orders/wren_orders_20240602.csv"] = [
        f"B{n},{_stamp(datetime(2024, 6, 2, 12, n))},ghost-{n},,nosession-{n},20.00,EUR" for n in range(25)]
    # store purchases: June 1st by 20 web CRM ids and 5 store-only customers; June 2nd by loyalty card
    purchase = "{at};{customer};7;SHOES;P{n};1;49.90;Paris;;;;;;;;;;;;;;;R{n}"
    files["store/store_purchases_20240601.csv"] = [
        purchase.format(at="2024-06-01 17:00:00", customer=f"crm-{n}" if n < 20 else f"store-{n}", n=n)
        for n in range(25)]
    files["store/store_purchases_20240602.csv"] = [
        purchase.format(at="2024-06-02 17:00:00", customer=f"card-{n:05d}", n=100 + n) for n in range(25)]
    return files


def _vendor_json_rows() -> str:
    text = next(SPECS.glob("002_*.txt")).read_text(encoding="utf-8")
    return next(line for line in text.split("Example of a valid row file:", 1)[1].splitlines() if line.strip())


RESENT = ["https://domain.tld, 2020-09-22, organic, 4, 40.0", "https://domain.tld/new, 2020-09-22, social, 5, 50.0"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    project = ProjectCopy(tmp_path_factory.mktemp("deliveries") / "project")
    drop = project.data
    for args in (["wren", "--cadence", "hourly",
                  "--dataset", f"visits:symbiosys_visits_csv:{drop}/wren/visits/wren_visits_*.csv",
                  "--dataset", f"orders:symbiosys_orders_csv:{drop}/wren/orders/wren_orders_*.csv",
                  "--dataset", f"store:related_digital_offline_csv:{drop}/wren/store/store_purchases_*"],
                 ["heron", "--dataset", f"conversions:botify_conversions:{drop}/heron/conversion-export-*"]):
        result = project.cli("add-retailer", *args)
        assert result.code == 0, result.err
    for name, lines in wren_files().items():
        header = VISIT_COLUMNS if name.startswith("visits") else ORDER_COLUMNS if name.startswith("orders") else None
        path = drop / "wren" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(([header] if header else []) + lines) + "\n")
    (drop / "heron").mkdir(exist_ok=True)   # add-retailer makes the drop folder
    (drop / "heron" / "conversion-export-2020-09-22.json").write_text(_vendor_json_rows() + "\n")

    first = project.cli("run")
    assert first.code == 0, (first.out + first.err)[-4000:]
    (drop / "heron" / "conversion-export-2020-09-22-resent.csv").write_text("\n".join(RESENT) + "\n")
    second = project.cli("import", "heron", "--report-dir", str(project.root / "reports"))
    assert second.code in (0, 1), (second.out + second.err)[-4000:]   # 1: the build's warnings are issues
    manifest = json.loads((project.root / "target" / "manifest.json").read_text())
    results = json.loads((project.root / "target" / "run_results.json").read_text())["results"]
    statuses = {manifest["nodes"][r["unique_id"]]["name"]: (r["status"], r["failures"])
                for r in results if r["unique_id"] in manifest["nodes"]}
    return {"project": project, "first": first, "second": second, "statuses": statuses}


def _query(built, sql: str) -> list[tuple]:
    with duckdb.connect(str(built["project"].warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_the_warnings_are_exactly_the_problems_of_these_deliveries(built):
    warned = {name: failures for name, (status, failures) in built["statuses"].items() if status == "warn"}
    assert warned == {
        "audit_deliveries_no_missing_hours": 2,            # wren visits: June 1st (10:00 and the night), June 2nd
        "audit_tracking_not_single_page_view_sessions": 1,  # June 2nd
        "audit_tracking_not_only_landing_pages": 1,        # June 2nd
        "audit_tracking_orders_have_page_views": 1,        # June 2nd
        "audit_offline_customer_ids_match_web_ids": 1,     # June 2nd: loyalty cards
        # heron's second file of 2020-09-22: a daily build tests the rows of its own loads (the first
        # file was tested, alone for its date, by the first run)
        "audit_conversion_files_one_file_per_date": 1,
    }
    assert not {n for n, (status, _) in built["statuses"].items() if status in ("fail", "error")}


def test_hourly_files_land_with_their_hour_and_the_audit_counts_hours(built):
    files = _query(built, """select file_date, file_hour, rows_landed from loader.files
                             where retailer = 'wren' and dataset = 'visits' order by 1, 2""")
    assert [(str(d), h) for d, h, _ in files] == [(str(day), hour) for day in HOURS for hour in HOURS[day]]
    deliveries = _query(built, """select file_date, cadence, files_landed, hours_landed, hours_missing, is_missing
                                  from main.audit_deliveries where retailer = 'wren' and dataset = 'visits'
                                  order by file_date""")
    # June 1st: 4 of 24 hours; June 2nd, the latest day, is expected up to its latest hour (09:00)
    assert [(str(d), *rest) for d, *rest in deliveries] == [
        ("2024-06-01", "hourly", 4, 4, 20, False), ("2024-06-02", "hourly", 2, 2, 8, False)]
    orders = _query(built, """select hours_landed, hours_missing from main.audit_deliveries
                              where retailer = 'wren' and dataset = 'orders'""")
    assert orders == [(24, 0), (24, 0)]   # daily files of an hourly source cover their day


def test_full_site_tracking_audit(built):
    rows = _query(built, """select activity_date, sessions, single_page_view_sessions, page_views,
                                   landing_only_page_views, orders, orders_without_page_views,
                                   is_mostly_single_page_view_sessions, is_mostly_landing_only_page_views,
                                   has_many_orders_without_page_views
                            from main.audit_full_site_tracking where retailer = 'wren' order by 1""")
    # worked out from the files: June 1st's 60 visitors, one three-page session each, 25 orders in them
    visitors_day1 = len({line.split(",")[2] for name, lines in wren_files().items() if "20240601" in name
                         and name.startswith("visits") for line in lines})
    assert visitors_day1 == 60
    assert [(str(d), *rest) for d, *rest in rows] == [
        # "/" is only ever a first page: landing-only, one in three page views
        ("2024-06-01", visitors_day1, 0, 3 * visitors_day1, visitors_day1, 25, 0, False, False, False),
        ("2024-06-02", 60, 60, 60, 60, 25, 25, True, True, True),
    ]


def test_offline_customer_ids_audit(built):
    rows = _query(built, """select event_date, offline_events, customer_ids, customer_ids_seen_on_web, purchases,
                                   purchases_joining_attribution, is_low_customer_id_web_match
                            from main.audit_offline_customer_ids where retailer = 'wren' order by 1""")
    assert [(str(d), *rest) for d, *rest in rows] == [
        ("2024-06-01", 25, 25, 20, 25, 20, False),     # crm-0..19 logged in on the web and ordered
        ("2024-06-02", 25, 25, 0, 25, 0, True),
    ]


def test_the_vendors_json_rows_and_a_second_file_for_the_date(built):
    # the newest delivery of the date is what fct_conversions holds
    assert _query(built, """select page_url, channel, transactions, revenue from main.fct_conversions
                            where retailer = 'heron' order by page_url""") == [
        ("https://domain.tld", "organic", 4, 40.0), ("https://domain.tld/new", "social", 5, 50.0)]
    files = _query(built, """select file_name, rows_landed, files_of_date, is_newest_of_date
                             from main.audit_conversion_files where retailer = 'heron' order by load_id""")
    assert [(name.rsplit("/", 1)[1], *rest) for name, *rest in files] == [
        ("conversion-export-2020-09-22.json", 3, 2, False), ("conversion-export-2020-09-22-resent.csv", 2, 2, True)]
    # the import said so: in its output, and in its report (JSON and HTML)
    err = " ".join(built["second"].err.split())
    assert "warning drop/heron/conversion-export-2020-09-22-resent.csv: a second file for 2020-09-22" in err, err
    (report,) = (built["project"].root / "reports").glob("*-import.json")
    issues = json.loads(report.read_text())["issues"]
    assert any(i["level"] == "warning" and i["problem"].startswith("a second file for 2020-09-22") for i in issues)
    assert "a second file for 2020-09-22" in report.with_suffix(".html").read_text()
