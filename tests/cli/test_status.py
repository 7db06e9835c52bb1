"""`status` in an 80-column terminal (a real pseudo-terminal): per source by default, --files, the
filters, --json, and long names shortened from the left. The warehouse is landed here by the real
CLI from the demo's deliveries plus files written for the test; no dbt build is needed."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import ProjectCopy

from .terminal import run_in_terminal

LONG = "acme_visits_full_export_from_the_point_of_sale_system_of_the_north_region_20240605.csv"


@pytest.fixture(scope="module")
def landed(tmp_path_factory):
    project = ProjectCopy(tmp_path_factory.mktemp("status") / "project")
    written = project.cli("demo-data", "--out", str(project.data), "--days", "3")
    assert written.code == 0, written.err
    visits = project.data / "acme" / "visits"
    first = sorted(visits.glob("acme_visits_*.csv"))[0]
    shutil.copy(first, visits / LONG)                                   # same content: a duplicate
    (visits / "acme_visits_20240606.csv").write_text("foo,bar\n1,2\n")   # not the format: failed
    result = project.cli("land")
    assert result.code == 1, result.err                                  # the broken file failed
    return project


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def test_the_default_is_one_readable_line_per_source(landed):
    code, shown = run_in_terminal("status", cwd=landed.root, env=landed.env)
    assert code == 0, shown
    assert all(len(line) <= 80 for line in shown.splitlines()), shown
    rows = {line.split()[0]: line.split()[1:] for line in _lines(shown) if line.split()[0].count(".") == 1
            and not line.startswith("Sources")}
    expected = landed.query("select retailer || '.' || dataset, count(*), coalesce(sum(rows_landed), 0), "
                            "coalesce(sum(rows_rejected), 0), count(*) filter (where status = 'failed') "
                            "from loader.files group by all")
    assert set(rows) == {source for source, *_ in expected}
    for source, files, landed_rows, rejected, failed in expected:
        files_, rows_, rejected_, _last, failed_ = rows[source]
        assert (int(files_), int(rows_.replace(",", "")), int(rejected_), int(failed_)) == \
            (files, landed_rows, rejected, failed), source
    [(newest,)] = landed.query("select max(file_date) from loader.files where retailer = 'acme' "
                               "and dataset = 'visits' and status = 'landed'")
    assert rows["acme.visits"][3] == newest.isoformat()
    assert "…" not in shown                             # nothing cut at 80 columns


def test_files_in_80_columns_keep_the_date_of_long_names(landed):
    code, shown = run_in_terminal("status", "--files", "--source", "acme.visits", cwd=landed.root, env=landed.env)
    assert code == 0, shown
    assert all(len(line) <= 80 for line in shown.splitlines()), shown
    long_line = next(line for line in shown.splitlines() if "north_region_20240605.csv" in line)
    assert long_line.startswith("…") and "duplicate" in long_line
    lines = [line for line in shown.splitlines() if line.split()[2:3] in (["landed"], ["failed"], ["duplicate"])]
    assert len(lines) == 5
    dates = [line.split()[1] for line in lines]
    assert dates == sorted(dates, reverse=True)      # newest first (the failed file: the day it was tried)
    assert {lines[0].split()[2], lines[1].split()[2]} == {"failed", "duplicate"}
    # the failed file's message is below the table, whole, not cut into a column
    assert any(line.startswith("[2] acme_visits_20240606.csv: missing required column") for line in shown.splitlines())


def test_filters_and_limit(landed):
    code, shown = run_in_terminal("status", "--files", "--status", "failed", cwd=landed.root, env=landed.env)
    assert code == 0
    assert [line.split()[0] for line in shown.splitlines() if line.startswith("acme_")] == \
        ["acme_visits_20240606.csv"]
    code, shown = run_in_terminal("status", "--files", "--since", "2024-06-03", "--limit", "2", "--source", "zephyr",
                                  cwd=landed.root, env=landed.env)
    assert code == 0
    assert [line.split()[1] for line in shown.splitlines() if line.startswith("zephyr_")] == \
        ["2024-06-03", "2024-06-03"]


def test_json_for_scripts(landed):
    result = landed.cli("status", "--json", "--source", "acme")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert [s["source"] for s in data] == ["acme.orders", "acme.visits"]
    visits = data[1]
    assert (visits["files"], visits["failed"], visits["duplicate"], visits["last_delivery"]) == (5, 1, 1, "2024-06-03")
    files = json.loads(landed.cli("status", "--files", "--json", "--status", "duplicate", "--source", "acme").out)
    assert [f["file_name"].rsplit("/", 1)[-1] for f in files] == [LONG]
    assert files[0]["message"].startswith("same content as")


@pytest.mark.parametrize("args, words", [
    (("status", "--source", "acmee"), "did you mean acme?"),
    (("status", "--status", "landd"), "'landd' is not one of"),
    (("status", "--since", "yesterday"), "'yesterday' does not match the format"),
    (("status", "--limit", "0"), "0 is not in the range"),
])
def test_bad_usage_exits_2_and_says_what_is_wrong(landed, args, words):
    result = landed.cli(*args)
    assert result.code == 2, (result.code, result.err)
    assert words in result.err


def test_status_reads_the_runs_snapshot_while_a_run_holds_the_warehouse(landed):
    """A run keeps the warehouse open for writing, and DuckDB then refuses every other connection:
    status reads the snapshot of the manifest the run keeps (warehouse.reading) and says so."""
    import subprocess
    import sys

    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); "
                               "print('held', flush=True); time.sleep(60)", str(landed.warehouse)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        direct = landed.cli("status", "--json")
        assert direct.code == 0, direct.err
        assert "a run holds the warehouse: read from its snapshot of" in " ".join(direct.err.split())
        assert {s["source"] for s in json.loads(direct.out)} >= {"acme.visits", "zephyr.orders"}
        code, shown = run_in_terminal("status", "--files", "--source", "acme.visits", cwd=landed.root,
                                      env=landed.env)
        assert code == 0, shown
        assert "acme_visits_20240601.csv" in shown and "read from its snapshot" in " ".join(shown.split())
        rejects = landed.cli("status", "--rejects")
        assert rejects.code == 0 and "not in the snapshot" in rejects.err
    finally:
        holder.kill()
        holder.wait()
    after = landed.cli("status", "--json")
    assert after.code == 0 and "snapshot" not in after.err
