"""Ctrl-C or SIGTERM at each stage of a run (issue 22.7, 23.13): `cancelled`, exit 130, nothing half-landed.

Each test starts the real CLI as a subprocess with RETAIL_IMPORTS_TRACE set,
waits for the stage it wants on stderr, sends the signal, and then checks
with its own queries: the files landed before are whole, the file in
progress has no row and says `cancelled`, the run's row says `cancelled`,
an import's report (JSON and HTML) says so, and the next run lands the rest.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from conftest import CLI, ProjectCopy

HEADER = "event_id,event_time,visitor_id,url\n"


def _visits(start: int, count: int) -> str:
    return HEADER + "".join(f"e{n},2024-06-01T10:00:00Z,v{n % 977},https://shop.example/p/{n}?ref=abcdefghij\n"
                            for n in range(start, start + count))


def _start(root: Path, *args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([*CLI, *args], cwd=root, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "DO_NOT_TRACK": "1", "COLUMNS": "200",
                                 "RETAIL_IMPORTS_TRACE": "1", **(env or {})})


def _interrupt_at(proc: subprocess.Popen, stage: str, signum: int, delay: float = 0.0) -> tuple[str, str]:
    """Read stderr until the stage starts, send the signal, and return (stdout, stderr) once it ends."""
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if f"stage: {stage}" in line:
            time.sleep(delay)
            proc.send_signal(signum)
            break
    else:
        proc.wait(timeout=60)
        pytest.fail(f"stage {stage!r} never started: {''.join(seen)[-3000:]}")
    out, err = proc.communicate(timeout=600)
    return out, "".join(seen) + err


def _assert_cancelled(code: int, err: str) -> None:
    assert code == 130, err[-3000:]
    assert "interrupted, nothing half-landed" in " ".join(err.split()), err[-3000:]
    assert "Traceback" not in err and "internal error" not in err, err[-3000:]


def _query(warehouse: Path, sql: str, params=None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _manifest(warehouse: Path) -> dict[str, tuple]:
    return {name.rsplit("/", 1)[-1]: (status, landed, message) for name, status, landed, message in _query(
        warehouse, "select file_name, status, rows_landed, message from loader.files")}


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_interrupted_while_landing_a_file(mini, signum):
    mini.declare("shop", {"visits": ("symbiosys_visits_csv", "shop_visits_*.csv")})
    mini.write("shop_visits_20240601.csv", _visits(0, 1000))
    mini.write("shop_visits_20240602.csv", _visits(1000, 600_000))     # long enough to be caught landing
    mini.write("shop_visits_20240603.csv", _visits(700_000, 1000))

    proc = _start(mini.root, "--warehouse", str(mini.warehouse), "land")
    out, err = _interrupt_at(proc, "landing drop/shop_visits_20240602.csv", signum, delay=0.3)

    _assert_cancelled(proc.returncode, err)
    files = _manifest(mini.warehouse)
    assert files["shop_visits_20240601.csv"][:2] == ("landed", 1000)
    status, landed, message = files["shop_visits_20240602.csv"]
    assert (status, landed) == ("cancelled", None) and message.startswith("interrupted during landing")
    assert "shop_visits_20240603.csv" not in files
    assert _query(mini.warehouse, "select _source_file, count(*), count(_line_number) from raw_shop.visits "
                                  "group by 1") == [("drop/shop_visits_20240601.csv", 1000, 1000)]
    assert _query(mini.warehouse, "select command, status, message from loader.runs") == [
        ("land", "cancelled", "interrupted")]

    again = mini.cli("land")
    assert again.code == 0, again.err
    assert "2 landed, 1 unchanged, 0 failed" in again.err
    assert _query(mini.warehouse, "select count(*), count(distinct event_id) from raw_shop.visits") == [
        (602_000, 602_000)]
    assert {v[0] for v in _manifest(mini.warehouse).values()} == {"landed"}


def test_interrupted_while_downloading(mini, backend_pool):
    http = backend_pool("http")
    place = http.new_prefix(under="slow/")     # the HTTP test server answers under /slow/ after a delay
    place.put("shop_visits_20240601.csv", _visits(0, 10).encode())
    mini.declare("shop", {"visits": ("symbiosys_visits_csv", "shop_visits_*")})
    source = mini.root / "models" / "_shop__sources.yml"
    source.write_text(source.read_text().replace(str(mini.data), place.url))

    proc = _start(mini.root, "--warehouse", str(mini.warehouse), "land")
    out, err = _interrupt_at(proc, "download http://", signal.SIGTERM, delay=0.3)

    _assert_cancelled(proc.returncode, err)
    ((status, landed, message),) = _manifest(mini.warehouse).values()
    assert (status, landed) == ("cancelled", None) and message.startswith("interrupted during download")
    assert _query(mini.warehouse, "select count(*) from raw_shop.visits") == [(0,)]
    assert mini.cli("land").code == 0
    assert _query(mini.warehouse, "select count(*) from raw_shop.visits") == [(10,)]


def test_interrupted_while_an_import_copies_the_warehouse(mini):
    mini.declare("shop", {"visits": ("symbiosys_visits_csv", "shop_visits_*.csv")})
    mini.write("shop_visits_20240601.csv", _visits(0, 100))
    mini.warehouse.parent.mkdir(parents=True)
    with duckdb.connect(str(mini.warehouse)) as con:   # a warehouse big enough to take a moment to copy
        con.execute("create schema history; create table history.events as "
                    "select i, md5(i::varchar) || md5((i + 1)::varchar) as payload from range(4000000) t(i)")
    reports = mini.root / "reports"

    proc = _start(mini.root, "--warehouse", str(mini.warehouse), "import", "--report-dir", str(reports))
    out, err = _interrupt_at(proc, "copy warehouse", signal.SIGINT)

    _assert_cancelled(proc.returncode, err)
    _assert_report(reports, "cancelled")
    assert _query(mini.warehouse, "select command, status from loader.runs") == [("import", "cancelled")]
    assert _query(mini.warehouse, "select count(*) from loader.files") == [(0,)]
    assert _query(mini.warehouse, "select count(*) from history.events") == [(4_000_000,)]


@pytest.mark.dbt
def test_interrupted_during_the_dbt_build_of_an_import(tmp_path):
    project = ProjectCopy(tmp_path / "project")
    project.add_retailer("wren", "visits", "symbiosys_visits_csv", project.data / "wren" / "wren_visits_*.csv")
    (project.data / "wren").mkdir(exist_ok=True)   # add-retailer makes the drop folder
    (project.data / "wren" / "wren_visits_20240601.csv").write_text(_visits(0, 50))
    reports = project.root / "reports"

    proc = _start(project.root, "import", "--report-dir", str(reports), env=project.env)
    out, err = _interrupt_at(proc, "dbt build", signal.SIGTERM, delay=3.0)

    _assert_cancelled(proc.returncode, err)
    _assert_report(reports, "cancelled")
    # the landing had finished: its file is whole; the build stops and the next run builds again
    assert _manifest(project.warehouse)["wren_visits_20240601.csv"][:2] == ("landed", 50)
    assert _query(project.warehouse, "select count(*), count(_line_number) from raw_wren.visits") == [(50, 50)]
    assert _query(project.warehouse, "select command, status from loader.runs") == [("import", "cancelled")]


def _assert_report(folder: Path, status: str) -> None:
    (report,) = folder.glob("*-import.json")
    assert json.loads(report.read_text())["status"] == status
    html = report.with_suffix(".html").read_text()
    assert f'id="status">{status}</span>' in html and "No results: the import was cancelled" in html


def test_a_failed_import_writes_its_report_in_both_forms_too(mini, tmp_path):
    """dbt cannot start (no profile): the import fails after landing, and says so in JSON and HTML."""
    mini.declare("shop", {"visits": ("symbiosys_visits_csv", "shop_visits_*.csv")})
    mini.write("shop_visits_20240601.csv", _visits(0, 10))
    reports, empty = mini.root / "reports", tmp_path / "no-profiles"
    empty.mkdir()

    result = mini.cli("import", "--report-dir", str(reports), env={"DBT_PROFILES_DIR": str(empty)})

    assert result.code == 1 and "Traceback" not in result.err, result.err
    (report,) = reports.glob("*-import.json")
    assert json.loads(report.read_text())["status"] == "failed"
    html = report.with_suffix(".html").read_text()
    assert 'id="status">failed</span>' in html and "No results: the import failed before it finished" in html
    assert _query(mini.warehouse, "select command, status from loader.runs") == [("import", "failed")]
    assert _manifest(mini.warehouse)["shop_visits_20240601.csv"][:2] == ("landed", 10)
