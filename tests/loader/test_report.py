"""The import report's order events: read from fct_order_events when the project has it.

fct_order_events is built by another part of the project; the report must
work before it exists ("not available") and after (counts per event type and
a sample of the events this import emitted, by load id). Real DuckDB files.
"""

from __future__ import annotations

import duckdb

from loaders.report import _order_events


def _warehouse(tmp_path, with_events: bool):
    path = tmp_path / "w.duckdb"
    con = duckdb.connect(str(path))
    if with_events:
        con.execute("create table main.fct_order_events (order_id varchar, event_type varchar, _load_id bigint)")
        con.execute("insert into main.fct_order_events values "
                    "('o1', 'orderPlace', 1), ('o2', 'orderPlace', 7), ('o3', 'orderPlace', 7), "
                    "('o1', 'orderUpdate', 7), ('o4', 'orderPlace', 8)")
    return con


def test_order_events_are_not_available_without_the_model(tmp_path):
    con = _warehouse(tmp_path, with_events=False)
    events = _order_events(con, False, [7])
    assert events["available"] is False
    assert events["note"].startswith("not available")


def test_order_events_count_only_this_imports_loads(tmp_path):
    con = _warehouse(tmp_path, with_events=True)
    events = _order_events(con, False, [7])
    assert events["available"] is True
    assert events["counts"] == {"orderPlace": 2, "orderUpdate": 1}
    assert sorted((e["order_id"], e["event_type"]) for e in events["sample"]) == [
        ("o1", "orderUpdate"), ("o2", "orderPlace"), ("o3", "orderPlace")]
    assert _order_events(con, False, [])["counts"] == {}


def test_report_names_never_collide_within_a_second(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from loaders.dryrun import new_report, report_stem

    reports = [new_report(tmp_path / "w.duckdb", {"sources": []}, dry) for dry in (True,) * 6 + (False,) * 2]
    for report in reports:
        report.started_at = "2024-06-02T10:00:00+00:00"    # one second for all
    with ThreadPoolExecutor(4) as pool:
        stems = list(pool.map(lambda r: report_stem(tmp_path, r), reports))
    assert len(set(stems)) == len(stems)
    assert sorted(p.name for p in tmp_path.glob("*-dry-run.json")) == sorted(
        f"{s.name}.json" for s in stems if s.name.endswith("dry-run"))
    assert "2024-06-02T100000Z-dry-run" in {s.name for s in stems}


def test_items_are_what_spans_rows_in_formats_that_say_so():
    from conftest import ROOT
    from loaders.formats import load_format

    assert load_format(ROOT, "shopify_products_csv").item_field == "Handle"   # spec 003: products in the file
    assert load_format(ROOT, "shopify_orders_csv").item_field == "Name"
    assert load_format(ROOT, "kevel_orders_csv").item_field == "orderId"
    assert load_format(ROOT, "symbiosys_visits_csv").item_field is None       # one row, one item


def test_a_completed_run_with_discarded_records_says_so():
    from loaders.report import Issue, Report

    report = Report(dry_run=False, configuration={"sources": [], "files": []}, warehouse="w", started_at="t",
                    status="completed")
    assert report.outcome == "completed"
    report.issues.append(Issue("warning", "a.b", "(source)", "p", "h", 1))
    assert report.outcome == "completed"
    report.issues.append(Issue("error", "a.b", "url", "required value missing", "h", 1))
    assert report.to_dict()["outcome"] == "completed with errors"
    report.status = "failed"
    assert report.outcome == "failed"


def test_options_render_as_yaml():
    from loaders.report import options_yaml

    text = options_yaml({"optional_columns": ["Email", "Id"], "defaults": {"currency_code": "EUR"},
                         "list_id": "0123"})
    assert text == "optional_columns:\n- Email\n- Id\ndefaults:\n  currency_code: EUR\nlist_id: '0123'"


def test_order_events_of_earlier_deliveries_are_not_this_imports(tmp_path):
    """fct_order_events keeps the event's own landing in load_id: an order placed by an earlier
    delivery and rebuilt in this run is not counted again (it was, as orderPlace 3 for 1 new)."""
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create table main.fct_order_events (event_key varchar, event_type varchar, load_id bigint, "
                "_states_load_id bigint)")
    con.execute("insert into main.fct_order_events values ('a', 'orderPlace', 1, 9), ('b', 'orderPlace', 2, 9), "
                "('c', 'orderPlace', 9, 9), ('a2', 'orderUpdate', 9, 9)")
    assert _order_events(con, False, [9])["counts"] == {"orderPlace": 1, "orderUpdate": 1}
    assert _order_events(con, False, [])["counts"] == {}
