"""python -m bench: land and build generated deliveries, side by side with plain DuckDB.

For each dataset (Kevel order CSV, visits CSV, offline ';' file by default),
each stage runs in a fresh process, so start-up costs count as they do for
users (dbt's parse is warmed first, as on any project that has run once),
and its peak memory is the RSS of the whole process tree:
  floor          plain DuckDB: create table as select * from read_csv(..., all_varchar=true)
  land           retail-imports land of the same file
  land+build     retail-imports run (land, then dbt build: staging, marts, tests)
  1/4 file       land, and land+build, of a file a quarter the size (memory must not scale with the file)
  day alone      one day's file into an empty warehouse, land + build
  day on N days  the same file into a warehouse already holding N days, land + build
  dry run        retail-imports dry-run of the same file
The last lines compare the figures with the targets of README "Performance".
The Event API has its own load generator: python -m bench.collector.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from .generate import DATASETS, START, Dataset, days, write_file
from .measure import Measurement, measure

ROOT = Path(__file__).resolve().parents[1]
MB = 1 << 20

FLOOR_SCRIPT = """
import duckdb, sys
con = duckdb.connect(sys.argv[1])
con.execute("create table floor as select * from read_csv($1, all_varchar = true, header = $2, delim = $3)",
            [sys.argv[4], sys.argv[2] == "true", sys.argv[3]])
print(con.execute("select count(*) from floor").fetchone()[0])
"""

# README "Performance": what each stage may cost, as a ratio.
TARGETS = {"land time": 1.3, "land memory": 1.5, "land+build time": 3.0, "day on history": 1.5, "memory for 4x file": 4.0}


@dataclass
class Row:
    dataset: str
    stage: str
    m: Measurement
    rows: int
    size: int
    floor: Measurement


class Bench:
    def __init__(self, work: Path, console: Console):
        self.work, self.console = work, console
        self.rows: list[Row] = []
        self.ratios: dict[tuple[str, str], float] = {}

    def _env(self, name: str, data: Path) -> dict:
        """A warehouse, dbt target and profile of its own for one stage, reading only `data`."""
        base = self.work / "runs" / name
        (base / "profiles").mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "profiles.yml.example", base / "profiles" / "profiles.yml")
        return {
            **os.environ, "DO_NOT_TRACK": "1",
            "RETAIL_WAREHOUSE": str(base / "warehouse.duckdb"), "RETAIL_DATA_DIR": str(data),
            "DBT_PROFILES_DIR": str(base / "profiles"), "DBT_TARGET_PATH": str(base / "target"),
            "DBT_LOG_PATH": str(base / "logs"),
        }

    def _run(self, stage: str, name: str, data: Path, *args: str) -> Measurement:
        self.console.print(f"  {stage}", highlight=False)
        env = self._env(name, data)
        if args[0] in ("run", "dry-run"):
            # dbt keeps what it parsed in target/ (partial parsing): a project
            # that has run once starts from there, so the timed build does too.
            warm = measure([str(Path(sys.executable).parent / "dbt"), "parse", "--quiet"], env, cwd=str(ROOT))
            if warm.returncode != 0:
                sys.exit(f"dbt parse failed before stage '{stage}':\n{warm.output[-3000:]}")
        m = measure([sys.executable, "-m", "loaders", *args], env, cwd=str(ROOT))
        if m.returncode != 0:
            sys.exit(f"benchmark stage '{stage}' failed (exit {m.returncode}):\n{m.output[-3000:]}")
        return m

    def _floor(self, dataset: Dataset, path: Path, name: str) -> Measurement:
        m = measure([sys.executable, "-c", FLOOR_SCRIPT, str(self.work / f"{name}.duckdb"),
                     "true" if dataset.header else "false", dataset.delimiter, str(path)], os.environ.copy())
        if m.returncode != 0:
            sys.exit(f"floor failed:\n{m.output[-3000:]}")
        return m

    def dataset(self, key: str, scale_bytes: int, history_days: int, skip_incremental: bool) -> None:
        dataset = DATASETS[key]
        self.console.print(f"[bold]{key}[/bold] ({dataset.description}): generating {scale_bytes // MB} MB")
        data = self.work / key / "full"
        path, rows = write_file(dataset, data, START, scale_bytes)
        size = path.stat().st_size
        self.console.print("  floor", highlight=False)
        floor = self._floor(dataset, path, f"{key}-floor")
        self._add(key, "floor: DuckDB read_csv all_varchar", floor, rows, size, floor)
        land = self._run("land", f"{key}-land", data, "land", dataset.name)
        self._add(key, "land", land, rows, size, floor)
        build = self._run("land + dbt build", f"{key}-build", data, "run")
        self._add(key, "land + dbt build", build, rows, size, floor)
        self.ratios[(key, "land time")] = land.seconds / floor.seconds
        self.ratios[(key, "land memory")] = land.peak_rss / floor.peak_rss
        self.ratios[(key, "land+build time")] = build.seconds / floor.seconds

        quarter = self.work / key / "quarter"
        q_path, q_rows = write_file(dataset, quarter, START, scale_bytes // 4)
        q_size = q_path.stat().st_size
        q_floor = self._floor(dataset, q_path, f"{key}-quarter-floor")
        q_land = self._run("land, 1/4 file", f"{key}-quarter-land", quarter, "land", dataset.name)
        q_build = self._run("land + dbt build, 1/4 file", f"{key}-quarter-build", quarter, "run")
        self._add(key, "land, 1/4 file", q_land, q_rows, q_size, q_floor)
        self._add(key, "land + dbt build, 1/4 file", q_build, q_rows, q_size, q_floor)
        self.ratios[(key, "memory for 4x file")] = max(land.peak_rss / q_land.peak_rss, build.peak_rss / q_build.peak_rss)

        if not skip_incremental:
            day_bytes = max(scale_bytes // history_days, MB)
            history = list(days(history_days + 1))
            self.console.print(f"  generating {history_days} + 1 days of {day_bytes // MB} MB", highlight=False)
            history_data = self.work / key / "history"
            for day in history[:-1]:
                write_file(dataset, history_data, day, day_bytes)
            self._run(f"{history_days} days of history (not timed)", f"{key}-history", history_data, "run")
            day_path, day_rows = write_file(dataset, history_data, history[-1], day_bytes)
            on_history = self._run(f"one day on {history_days} days", f"{key}-history", history_data, "run")
            alone_data = self.work / key / "alone"
            write_file(dataset, alone_data, history[-1], day_bytes)
            alone = self._run("one day alone", f"{key}-alone", alone_data, "run")
            day_floor = self._floor(dataset, day_path, f"{key}-day-floor")
            day_size = day_path.stat().st_size
            self._add(key, "one day alone: land + build", alone, day_rows, day_size, day_floor)
            self._add(key, f"one day on {history_days} days: land + build", on_history, day_rows, day_size, day_floor)
            self.ratios[(key, "day on history")] = on_history.seconds / alone.seconds

        dry = self._run("dry run", f"{key}-dry", data, "dry-run", dataset.name, "--report-dir",
                        str(self.work / key / "reports"))
        self._add(key, "dry run", dry, rows, size, floor)

    def _add(self, dataset: str, stage: str, m: Measurement, rows: int, size: int, floor: Measurement) -> None:
        self.rows.append(Row(dataset, stage, m, rows, size, floor))

    def report(self, history_days: int) -> None:
        table = Table(title=f"retail-imports against plain DuckDB, {os.cpu_count()} cores "
                            "(ratios: to the floor on the same file)")
        for col in ("dataset", "stage", "MB", "rows", "wall s", "rows/s", "MB/s", "peak RSS MB", "time x floor",
                    "memory x floor"):
            table.add_column(col, justify="left" if col in ("dataset", "stage") else "right")
        previous = None
        for r in self.rows:
            table.add_row(r.dataset if r.dataset != previous else "", r.stage, f"{r.size / MB:.0f}", f"{r.rows:,}",
                          f"{r.m.seconds:.2f}", f"{r.rows / r.m.seconds:,.0f}", f"{r.size / MB / r.m.seconds:.1f}",
                          f"{r.m.peak_rss / MB:.0f}", f"{r.m.seconds / r.floor.seconds:.2f}",
                          f"{r.m.peak_rss / r.floor.peak_rss:.2f}", end_section=False)
            previous = r.dataset
        self.console.print(table)
        labels = {"land time": "land time x floor", "land memory": "land peak memory x floor",
                  "land+build time": "land + dbt build time x floor",
                  "day on history": f"one day on {history_days} days / that day alone",
                  "memory for 4x file": "peak memory, 4x file / 1/4 file (worst of land, land+build)"}
        for (dataset, name), value in self.ratios.items():
            ok = value <= TARGETS[name]
            self.console.print(f"{dataset:13s} {labels[name]:62s} {value:6.2f}  target <= {TARGETS[name]:.1f}  "
                               f"{'[green]met[/green]' if ok else '[red]missed[/red]'}", highlight=False)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale-mb", type=int, default=100, help="size of each main file (default 100; the targets are set at 600)")
    parser.add_argument("--datasets", default=",".join(DATASETS),
                        help=f"comma-separated, from: {', '.join(DATASETS)} (default: all)")
    parser.add_argument("--history-days", type=int, default=30, help="days already in the warehouse for the incremental stage")
    parser.add_argument("--work-dir", type=Path, help="keep files and warehouses here instead of a temporary folder")
    parser.add_argument("--skip-incremental", action="store_true", help="skip the N-day incremental stage")
    args = parser.parse_args()
    chosen = [d.strip() for d in args.datasets.split(",") if d.strip()]
    unknown = [d for d in chosen if d not in DATASETS]
    if unknown:
        parser.error(f"unknown dataset(s) {', '.join(unknown)}; choose from {', '.join(DATASETS)}")

    work = args.work_dir or Path(tempfile.mkdtemp(prefix="retail-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    console = Console(width=170)
    bench = Bench(work, console)
    try:
        for key in chosen:
            bench.dataset(key, args.scale_mb * MB, args.history_days, args.skip_incremental)
        bench.report(args.history_days)
    finally:
        if not args.work_dir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
