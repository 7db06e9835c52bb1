"""Three retailers (comma, tab, Kevel orders) over three days, through the real CLI and dbt.

Day by day (an incremental build after each delivery) and all at once (one
build over a back-fill) must give the same marts, and those marts must hold
exactly the distinct valid events of the files, counted here independently.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from conftest import ROOT, make_delivery_folders, run_cli

pytestmark = pytest.mark.dbt


def _env(tmp: Path, data: Path) -> dict:
    profiles = tmp / "profiles"
    profiles.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "profiles.yml.example", profiles / "profiles.yml")
    return {
        "RETAIL_WAREHOUSE": str(tmp / "warehouse.duckdb"),
        "RETAIL_DATA_DIR": str(data),
        "DBT_PROFILES_DIR": str(profiles),
        "DBT_TARGET_PATH": str(tmp / "target"),
        "DBT_LOG_PATH": str(tmp / "logs"),
    }


def _expected(files: list[Path]) -> tuple[set, set, int, dict]:
    """Distinct page-view keys, distinct order keys, malformed rows, and the line
    items of the newest delivery of each line-item order, read with Python's csv."""
    views, orders, malformed, lines = set(), set(), 0, {}
    for path in files:
        retailer = path.name.split("_")[0]
        delimiter = "\t" if retailer == "zephyr" else ","
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            header = next(reader)
            for row in reader:
                if len(row) != len(header):
                    malformed += 1
                    continue
                rec = dict(zip(header, row))
                if "orderId" in rec:   # Kevel: one row per line item; a newer file replaces an order's lines
                    key = (retailer, rec["orderId"])
                    if key not in orders or lines[key][0] != path.name:
                        lines[key] = (path.name, [])
                    lines[key][1].append(rec["lineItem_status"])
                    orders.add(key)
                elif "_orders_" in path.name:
                    orders.add((retailer, rec["order_id"]))
                else:
                    key = rec.get("event_id") or (rec["visitor_id"], rec["session_id"], rec["event_time"], rec["url"])
                    views.add((retailer, key))
    return views, orders, malformed, {key: statuses for key, (_, statuses) in lines.items()}


def _marts(warehouse: Path) -> dict:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            "page_views": con.execute(
                "select page_view_id, retailer, viewed_at, file_date, _source_file from main.fct_page_views order by 1"
            ).fetchall(),
            "orders": con.execute(
                "select order_key, retailer, order_id, revenue, ordered_at from main.fct_orders order by 1"
            ).fetchall(),
            "line_items": con.execute(
                "select order_line_item_key, retailer, order_id, line_item_status from main.fct_order_line_items order by 1"
            ).fetchall(),
            "rejects": con.execute("select source_file, line_number, reason from loader.rejects").fetchall(),
            # the damaged row holds an e-mail: reports past the raw layer show it masked
            "reported_rejects": con.execute(
                "select raw_text from main.audit_rejected_rows where rejected_by = 'parse'").fetchall(),
            "raw_rows": con.execute(
                "select (select count(*) from raw_acme.visits) + (select count(*) from raw_zephyr.visits)"
            ).fetchone()[0],
            # the demo retailer bazaar: the other vendor formats
            "conversions": con.execute(
                "select conversion_key, page_url, conversion_date, transactions, revenue from main.fct_conversions order by 1"
            ).fetchall(),
            "offline_events": con.execute(
                "select offline_event_key, customer_id, purchase_id, total_sales, transaction_attributes "
                "from main.fct_offline_events order by 1"
            ).fetchall(),
            "users": con.execute("select user_key, user_id, attributes from main.dim_users order by 1").fetchall(),
            "products": con.execute("select product_key, title, price, item_hash from main.dim_products order by 1").fetchall(),
            "product_imports": con.execute(
                "select regexp_replace(file_name, '.*/', ''), items_in_file, items_valid, items_added, items_updated, "
                "items_unchanged from main.audit_product_imports order by 1"
            ).fetchall(),
        }


def test_day_by_day_equals_backfill_and_matches_the_files(tmp_path):
    source = tmp_path / "generated"
    assert run_cli("demo-data", "--out", str(source), "--days", "3", cwd=ROOT).code == 0
    delivered = sorted(p for p in source.rglob("*") if p.is_file())
    files = [p for p in delivered if "_visits_" in p.name or "_orders_" in p.name]
    days = sorted({p.stem.rsplit("_", 1)[1] for p in files})
    assert len(files) == 15 and len(days) == 3

    # 1. one delivery a day, one incremental build after each
    daily = tmp_path / "daily"
    drop = daily / "drop"
    for day in days:
        iso_day = f"{day[:4]}-{day[4:6]}-{day[6:]}"
        for path in delivered:
            if day in path.name or iso_day in path.name:
                target = drop / path.relative_to(source)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(path, target)
        make_delivery_folders(ROOT, _env(daily, drop))   # a dataset may deliver its first file later
        result = run_cli("run", cwd=ROOT, env=_env(daily, drop))
        assert result.code == 0, result.out[-3000:] + result.err[-3000:]

    # 2. the same files back-filled at once, one build
    backfill = tmp_path / "backfill"
    result = run_cli("run", cwd=ROOT, env=_env(backfill, source))
    assert result.code == 0, result.out[-3000:] + result.err[-3000:]

    day_by_day, at_once = _marts(daily / "warehouse.duckdb"), _marts(backfill / "warehouse.duckdb")
    views, orders, malformed, lines = _expected(files)

    assert len(at_once["page_views"]) == len(views)
    assert len(at_once["orders"]) == len(orders)
    assert sorted(r[1] for r in at_once["page_views"]) == sorted(r for r, _ in views)
    # late events (up to three days) were delivered, and sit on their own date
    assert any(r[2].date() < r[3] for r in at_once["page_views"])
    # the damaged row is in rejects with its line; the raw tables hold the rest
    assert malformed == 1
    assert [(Path(f).name, line) for f, line, _ in at_once["rejects"]] == [("acme_visits_20240602.csv", 13)]
    assert at_once["reported_rejects"] == [("broken-row,by <e-mail>,three fields",)]
    visit_rows = sum(sum(1 for _ in open(p)) - 1 for p in files if "_visits_" in p.name)
    assert at_once["raw_rows"] == visit_rows - malformed

    # Kevel orders: the newest delivery of an order gives its lines (day 2 moved a day-1 order on)
    got_lines: dict = {}
    for _, retailer, order_id, status in at_once["line_items"]:
        got_lines.setdefault((retailer, order_id), []).append(status)
    assert {k: sorted(v) for k, v in got_lines.items()} == {k: sorted(v) for k, v in lines.items()}
    assert any("cancelled" in v for v in got_lines.values()) and any("fulfilled" in v for v in got_lines.values())

    for mart in ("page_views", "orders", "line_items"):
        assert [r[:4] for r in day_by_day[mart]] == [r[:4] for r in at_once[mart]], mart
    for mart in ("conversions", "offline_events", "users", "products", "product_imports"):
        assert day_by_day[mart] == at_once[mart], mart
    # session_id_max_gap_hours keeps the demo's sessions: each session id sent is one visit
    with duckdb.connect(str(backfill / "warehouse.duckdb"), read_only=True) as con:
        visits, session_ids = con.execute("""
            select (select count(*) from main.int_sessions where not is_derived_session),
                   (select count(distinct (retailer, visitor_id, session_id)) from main.fct_page_views
                    where session_id is not null)""").fetchone()
    assert visits == session_ids > 0
    # bazaar's products: day 2 adds one product and changes one price, day 3 renames one
    assert [r[1:] for r in at_once["product_imports"] if r[0].startswith("products_export")] == [
        (4, 4, 4, 0, 0), (5, 5, 1, 1, 3), (5, 5, 0, 1, 4)
    ]

    # the models' unit tests (imports leave them out: they check SQL, not data)
    unit = subprocess.run([str(Path(sys.executable).parent / "dbt"), "test", "--select", "test_type:unit"],
                          cwd=ROOT, env={**os.environ, "DO_NOT_TRACK": "1", **_env(backfill, source)},
                          capture_output=True, text=True, timeout=600)
    assert unit.returncode == 0, unit.stdout[-3000:]
    declared = sum(len(yaml.safe_load(f.read_text()).get("unit_tests") or []) for f in (ROOT / "models").rglob("*.yml"))
    assert re.search(r"PASS=(\d+)", unit.stdout)[1] == str(declared), unit.stdout[-500:]

    # a third build with nothing new changes nothing
    result = run_cli("run", cwd=ROOT, env=_env(backfill, source))
    assert result.code == 0
    assert f"0 landed, {len(delivered)} unchanged" in result.err
    assert _marts(backfill / "warehouse.duckdb") == at_once
