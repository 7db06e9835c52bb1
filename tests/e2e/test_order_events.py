"""Order history and events end to end: the demo retailer kestrel's Kevel
files (each day re-delivers an order of the day before, moved on), landed
with the real CLI and built with the real dbt in copies of the project.

The same three files must give the same fct_order_events whether they land
one per run, all in one run, or out of order; a re-delivered file with one
line's status changed gives exactly one orderUpdate naming that line; the
product feed fills only the attributes an order file omits. Expectations are
read from the files with Python's csv module, not from the warehouse.
"""

from __future__ import annotations

import csv
import shutil
from collections import defaultdict
from pathlib import Path

import pytest

from conftest import ProjectCopy
from loaders.demo_orders import write_kestrel

pytestmark = pytest.mark.dbt

SELECT = "+fct_order_events +fct_order_event_line_items +snp_orders +snp_order_line_items"
EVENTS = """select order_id, event_type, version_number, event_at, change_count, changes, line_count,
                   file_date, regexp_extract(source_file, '[^/]+$') as file_name
            from fct_order_events order by all"""


def _files(tmp: Path) -> list[Path]:
    return write_kestrel(tmp, days=3, seed=7)


def _project(root: Path) -> ProjectCopy:
    project = ProjectCopy(root)
    (project.data / "kestrel" / "orders").mkdir(parents=True, exist_ok=True)
    return project


def _build(project: ProjectCopy, with_tests: bool = False) -> None:
    """Land every source, build the order models (their dbt tests only when
    asked: the suite stays lean, and the back-fill build runs them)."""
    args = [f"--dbt-arg=--select={SELECT}", "--dbt-arg=--indirect-selection=cautious"]
    if not with_tests:
        args += ["--dbt-arg=--exclude-resource-type=test"]
    result = project.cli("run", *args)
    assert result.code == 0, result.out + result.err


def _deliver(project: ProjectCopy, *files: Path, with_tests: bool = False) -> None:
    for path in files:
        shutil.copy(path, project.data / "kestrel" / "orders" / path.name)
    _build(project, with_tests)


def _states(files: list[Path]) -> dict:
    """{order id: [(file, {line id: status})]} in file order, from the csv files."""
    states: dict = defaultdict(list)
    for path in files:
        lines: dict = defaultdict(dict)
        with open(path, newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                lines[row["orderId"]][row["lineItem_id"]] = row["lineItem_status"]
        for order_id, statuses in lines.items():
            states[order_id].append((path.name, statuses))
    return states


@pytest.fixture(scope="module")
def daily(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("events_daily")
    files = _files(tmp / "files")
    project = _project(tmp / "project")
    for path in files:
        _deliver(project, path)
    return project, files, project.query(EVENTS)


def test_events_follow_the_files(daily):
    """One orderPlace per order; an orderUpdate exactly where a later file
    changes an order's line statuses, naming each line and both statuses."""
    project, files, events = daily
    expected_places, expected_updates = set(), {}
    for order_id, versions in _states(files).items():
        expected_places.add((order_id, versions[0][0]))
        for (_, before), (name, after) in zip(versions, versions[1:]):
            changes = sorted(f"line {line} line_item_status: {before[line]} -> {after[line]}"
                             for line in after if before.get(line) != after[line])
            if changes:
                expected_updates[(order_id, name)] = "; ".join(changes)
    assert expected_updates, "the demo files re-deliver orders with new statuses"
    got_places = {(e[0], e[8]) for e in events if e[1] == "orderPlace"}
    got_updates = {(e[0], e[8]): e[5] for e in events if e[1] == "orderUpdate"}
    assert got_places == expected_places
    assert got_updates == expected_updates


def _wren_files(project: ProjectCopy, orders: Path) -> list[dict]:
    """Retailer wren: kestrel's day-1 orders without brand and name for the
    products ending in -0, and a product feed with every product. Returns
    the order rows written."""
    with open(orders, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["lineItem_productId"].endswith("-0"):
            row["lineItem_brand"] = row["lineItem_name"] = ""
    (project.data / "wren").mkdir()
    with open(project.data / "wren" / "wren_orders_20240601.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    with open(project.data / "wren" / "wren_feed_20240601.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["id", "title", "brand", "google_product_category", "price"])
        for product in sorted({row["lineItem_productId"] for row in rows}):
            writer.writerow([product, f"Feed title {product}", "FeedBrand", "Apparel", "10.00 EUR"])
    result = project.cli(
        "add-retailer", "wren",
        "--dataset", f"orders:kevel_orders_csv:{project.data / 'wren' / 'wren_orders_*.csv'}",
        "--dataset", f"products:merchant_product_feed:{project.data / 'wren' / 'wren_feed_*.csv'}")
    assert result.code == 0, result.err
    return rows


@pytest.fixture(scope="module")
def backfill(daily, tmp_path_factory):
    """The same three kestrel files in one run (with the dbt tests), and wren."""
    _, files, _ = daily
    project = _project(tmp_path_factory.mktemp("events_backfill") / "project")
    wren_rows = _wren_files(project, files[0])
    _deliver(project, *files, with_tests=True)
    return project, wren_rows


def test_backfill_and_out_of_order_give_the_same_events(daily, backfill, tmp_path_factory):
    _, files, events = daily
    project, _ = backfill
    assert project.query(EVENTS.replace("from fct_order_events", "from fct_order_events where retailer = 'kestrel'")) \
        == events

    shuffled = _project(tmp_path_factory.mktemp("events_shuffled") / "project")
    _deliver(shuffled, files[2])                   # day 3 lands first,
    _deliver(shuffled, files[0], files[1])         # then days 1 and 2
    assert shuffled.query(EVENTS) == events
    # the snapshot, by contrast, is what each build saw: K2000 as day 3 left it first
    day3 = {line: status for _, lines in _states([files[2]]).items() for line, status in lines[0][1].items()}
    first_seen = shuffled.query(
        "select line_item_key, line_item_status from snp_order_line_items where order_id = 'K2000' "
        "and dbt_valid_from = (select min(dbt_valid_from) from snp_order_line_items)")
    assert first_seen and all(status == day3[line] for line, status in first_seen)


def test_redelivered_file_with_one_status_changed(daily):
    project, files, _ = daily
    day3 = files[-1]
    with open(day3, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    # a line of an order first seen on day 3 (not the re-delivered one)
    target = next(row for row in rows if row["orderId"].startswith("K3") and row["lineItem_status"] != "refunded")
    before_status = target["lineItem_status"]
    target["lineItem_status"] = "refunded"
    before = project.query("select event_key from fct_order_events")
    redelivered = day3.parent / "redelivered" / day3.name
    redelivered.parent.mkdir()
    with open(redelivered, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    # the same information again in the same run, in a new file: no event of its own
    again = day3.parent / "again" / "kestrel_orders_20240604.csv"
    again.parent.mkdir()
    shutil.copy(redelivered, again)
    _deliver(project, redelivered, again)

    new = project.query(
        "select order_id, event_type, change_count from fct_order_events where event_key not in "
        "(select unnest(?::varchar[]))", [[key for (key,) in before]])
    assert new == [(target["orderId"], "orderUpdate", 1)]
    changes = project.query(
        "select change_type, line_item_key, attribute_name, value_before, value_after from fct_order_event_changes "
        "join fct_order_events using (event_key) where fct_order_events.order_id = ? "
        "and event_type = 'orderUpdate'", [target["orderId"]])
    assert changes == [("line_changed", target["lineItem_id"], "line_item_status", before_status, "refunded")]


def test_product_feed_fills_only_missing_attributes(backfill):
    project, rows = backfill
    got = {line: (brand, name, filled) for line, brand, name, filled in project.query(
        "select line_item_key, brand, product_name, filled_from_product_feed from fct_order_event_line_items "
        "where retailer = 'wren'")}
    assert len(got) == len(rows)
    for row in rows:
        brand, name, filled = got[row["lineItem_id"]]
        if row["lineItem_brand"]:          # present in the order file: kept
            assert (brand, name, filled) == ("Kestrel", row["lineItem_name"], None)
        else:                              # missing: filled from the feed
            assert (brand, name) == ("FeedBrand", f"Feed title {row['lineItem_productId']}")
            assert filled == "product_name; brand"
    assert {b for b, _, _ in got.values()} == {"Kestrel", "FeedBrand"}
