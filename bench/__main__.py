"""python -m bench: land and build generated deliveries, side by side with plain DuckDB.

Stages (each a fresh process, so start-up costs count like they do for users):
  floor        plain DuckDB: create table as select * from read_csv(..., all_varchar=true)
  land         retail-imports land of the same files
  land+build   retail-imports run (land, then dbt build: staging, marts, tests)
  day alone    one day's file into an empty warehouse, land + build
  day on 30    the same file into a warehouse already holding 30 days, land + build
  dry run      retail-imports dry-run of the same files (when the verb exists)
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

from .generate import DATASETS, START, days, write_file
from .measure import Measurement, measure

ROOT = Path(__file__).resolve().parents[1]
MB = 1 << 20

FLOOR_SCRIPT = """
import duckdb, sys
con = duckdb.connect(sys.argv[1])
files = sys.argv[2:]
con.execute("create table floor as select * from read_csv($1, all_varchar = true, header = true)", [files])
print(con.execute("select count(*) from floor").fetchone()[0])
"""


def _env(work: Path, data: Path, warehouse: str) -> dict:
    profiles = work / "profiles"
    profiles.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "profiles.yml.example", profiles / "profiles.yml")
    return {
        **os.environ, "DO_NOT_TRACK": "1",
        "RETAIL_WAREHOUSE": str(work / warehouse), "RETAIL_DATA_DIR": str(data),
        "DBT_PROFILES_DIR": str(profiles), "DBT_TARGET_PATH": str(work / "target"), "DBT_LOG_PATH": str(work / "logs"),
    }


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "loaders", *args]


def _check(stage: str, m: Measurement) -> Measurement:
    if m.returncode != 0:
        sys.exit(f"benchmark stage '{stage}' failed (exit {m.returncode}):\n{m.output[-3000:]}")
    return m


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale-mb", type=int, default=100, help="size of the main file (default 100; target figures use 600)")
    parser.add_argument("--dataset", choices=sorted(DATASETS), default="visits", help="which format to generate")
    parser.add_argument("--history-days", type=int, default=30, help="days already in the warehouse for the incremental stage")
    parser.add_argument("--work-dir", type=Path, help="keep files here instead of a temporary folder")
    parser.add_argument("--skip-incremental", action="store_true", help="skip the 30-day incremental stage")
    args = parser.parse_args()

    work = args.work_dir or Path(tempfile.mkdtemp(prefix="retail-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    console = Console(width=150)
    dataset = DATASETS[args.dataset]
    console.print(f"[bold]generating[/bold] {args.scale_mb} MB of {dataset.name} in {work}")
    main_dir = work / "main-data"
    path, rows = write_file(dataset, main_dir, START, args.scale_mb * MB)
    size = path.stat().st_size
    results: list[tuple[str, Measurement, int, int]] = []

    floor = _check("floor", measure([sys.executable, "-c", FLOOR_SCRIPT, str(work / "floor.duckdb"), str(path)], os.environ.copy()))
    results.append(("floor: DuckDB read_csv all_varchar", floor, rows, size))
    env = _env(work / "land", main_dir, "land.duckdb")
    results.append(("land", _check("land", measure(_cli("land", dataset.name), env, cwd=str(ROOT))), rows, size))
    env = _env(work / "build", main_dir, "build.duckdb")
    results.append(("land + dbt build", _check("land+build", measure(_cli("run"), env, cwd=str(ROOT))), rows, size))

    if not args.skip_incremental:
        day_bytes = max(size // args.history_days, MB)
        history_dir = work / "history-data"
        history = list(days(args.history_days + 1))
        console.print(f"[bold]generating[/bold] {args.history_days} + 1 days of {day_bytes // MB} MB")
        for day in history[:-1]:
            write_file(dataset, history_dir, day, day_bytes)
        env = _env(work / "history", history_dir, "history.duckdb")
        _check("history", measure(_cli("run"), env, cwd=str(ROOT)))
        last_path, last_rows = write_file(dataset, history_dir, history[-1], day_bytes)
        on_history = _check("day on history", measure(_cli("run"), env, cwd=str(ROOT)))
        alone_dir = work / "alone-data"
        write_file(dataset, alone_dir, history[-1], day_bytes)
        alone = _check("day alone", measure(_cli("run"), _env(work / "alone", alone_dir, "alone.duckdb"), cwd=str(ROOT)))
        results.append(("one day alone: land + build", alone, last_rows, last_path.stat().st_size))
        results.append((f"one day on {args.history_days} days: land + build", on_history, last_rows, last_path.stat().st_size))

    dry = measure(_cli("dry-run", "--help"), os.environ.copy(), cwd=str(ROOT))
    if dry.returncode == 0:
        env = _env(work / "dry", main_dir, "dry.duckdb")
        results.append(("dry run", _check("dry run", measure(_cli("dry-run", dataset.name), env, cwd=str(ROOT))), rows, size))

    table = Table(title=f"{dataset.name}: {size / MB:.0f} MB, {rows:,} rows, {os.cpu_count()} cores")
    for col in ("stage", "wall s", "rows/s", "MB/s", "peak RSS MB", "time x floor", "memory x floor"):
        table.add_column(col, justify="left" if col == "stage" else "right")
    for name, m, n, nbytes in results:
        table.add_row(name, f"{m.seconds:.2f}", f"{n / m.seconds:,.0f}", f"{nbytes / MB / m.seconds:.1f}",
                      f"{m.peak_rss / MB:.0f}", f"{m.seconds / floor.seconds:.2f}", f"{m.peak_rss / floor.peak_rss:.2f}")
    console.print(table)
    if not args.skip_incremental:
        console.print(f"incremental day on {args.history_days} days / day alone: {on_history.seconds / alone.seconds:.2f}x")
    if not args.work_dir:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
