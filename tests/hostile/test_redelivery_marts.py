"""Issues 25.2 and 25.10 with the marts: a failed re-delivery keeps the previous version everywhere,
and `run --warehouse FILE` lands and builds FILE.

One copy of the project, two `run`s (each a real dbt build), then a land:
1. two good visits files, run into a warehouse file that is not the default one;
2. day 1 re-delivered empty, day 2 without its required columns: run again;
3. day 1 delivered good again, with other events: land.
"""

from __future__ import annotations

import duckdb
import pytest

from conftest import ProjectCopy

pytestmark = pytest.mark.dbt

HEADER = "event_id,event_time,visitor_id,session_id,url\n"


def _visits(first: int, count: int) -> str:
    return HEADER + "".join(f"r{n},2024-06-01T10:{n % 60:02d}:00Z,v{n},s{n},https://relay.example/p{n}\n"
                            for n in range(first, first + count))


def _query(path, sql: str, params=None) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    project = ProjectCopy(tmp_path_factory.mktemp("redelivery") / "project")
    folder = project.data / "relay"
    project.add_retailer("relay", "visits", "symbiosys_visits_csv", folder / "relay_visits_*.csv")
    (folder / "relay_visits_20240601.csv").write_text(_visits(1, 4))
    (folder / "relay_visits_20240602.csv").write_text(_visits(10, 3))
    chosen = project.root / "elsewhere" / "chosen.duckdb"   # not the default, and not there yet

    first = project.cli("--warehouse", str(chosen), "run")
    marts_first = _query(chosen, "select _source_file, event_id, _load_id from fct_page_views order by 1, 2")

    (folder / "relay_visits_20240601.csv").write_text("")
    (folder / "relay_visits_20240602.csv").write_text("event_id,url\nr10,https://relay.example/x\n")
    second = project.cli("--warehouse", str(chosen), "run")
    marts_second = _query(chosen, "select _source_file, event_id, _load_id from fct_page_views order by 1, 2")
    status = project.cli("--warehouse", str(chosen), "status", "--files")
    return project, chosen, first, marts_first, second, marts_second, status


def test_run_lands_and_builds_the_chosen_warehouse(runs):
    project, chosen, first, marts_first, *_ = runs
    assert first.code == 0, first.err[-3000:]
    assert "Traceback" not in first.err + first.out
    assert len(marts_first) == 7
    assert not project.warehouse.exists()   # RETAIL_WAREHOUSE's file was never built


def test_a_failed_redelivery_keeps_raw_marts_and_manifest_in_agreement(runs):
    project, chosen, _, marts_first, second, marts_second, _ = runs
    assert second.code == 1
    assert "relay_visits_20240601.csv: file is empty; previous version kept (4 rows" in second.err
    assert "relay_visits_20240602.csv:1: missing required column" in second.err
    manifest = _query(chosen, "select file_name, status, has_previous_version, rows_read, rows_landed, rows_rejected, "
                              "load_id from loader.files where retailer = 'relay' order by file_name")
    assert [m[1:6] for m in manifest] == [("failed", True, 4, 4, 0), ("failed", True, 3, 3, 0)]
    raw = _query(chosen, "select _source_file, count(*), min(_load_id), max(_load_id) from raw_relay.visits "
                         "group by 1 order by 1")
    assert raw == [(m[0], m[4], m[6], m[6]) for m in manifest]
    assert marts_second == marts_first   # the marts still hold exactly the kept versions
    audit = _query(chosen, "select file_name, status, has_previous_version, is_reconciled, rows_valid "
                           "from audit_import_files where retailer = 'relay' order by 1")
    assert audit == [(manifest[0][0], "failed", True, True, 4), (manifest[1][0], "failed", True, True, 3)]
    deliveries = _query(chosen, "select file_date::varchar, files_landed, files_failed, rows_landed, is_missing "
                                "from audit_deliveries where retailer = 'relay' order by 1")
    assert deliveries == [("2024-06-01", 1, 1, 4, False), ("2024-06-02", 1, 1, 3, False)]


def test_status_says_failed_with_the_previous_version_kept(runs):
    *_, status = runs
    assert status.code == 0, status.err
    assert "".join(status.out.split()).count("failed;previousversionkept") == 2


def test_a_good_delivery_replaces_the_kept_version(runs):
    project, chosen, *_ = runs
    (project.data / "relay" / "relay_visits_20240601.csv").write_text(_visits(100, 2))
    third = project.cli("--warehouse", str(chosen), "land", "relay")
    assert third.code == 1   # day 2 is still broken
    assert _query(chosen, "select status, has_previous_version, rows_landed from loader.files "
                          "where file_name like '%20240601.csv'") == [("landed", None, 2)]
    assert _query(chosen, "select event_id from raw_relay.visits where _source_file like '%20240601.csv' "
                          "order by _line_number") == [("r100",), ("r101",)]
