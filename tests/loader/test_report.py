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
