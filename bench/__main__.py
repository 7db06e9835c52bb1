"""python -m bench: land and build generated deliveries, side by side with plain DuckDB.

For each dataset (Kevel order CSV, visits CSV, offline ';' file by default),
each stage runs in a fresh process, so start-up costs count as they do for
users (dbt's parse is warmed first, as on any project that has run once),
and its peak memory is the RSS of the whole process tree:
  floor          plain DuckDB: create table as select * from read_csv(..., all_varchar=true)
  land           retail-imports land of the same file
  land+build     retail-imports run (land, then dbt build: staging, marts, tests), first build
  1/4 file       land, and land+build, of a file a quarter the size (memory must not scale with the file)
  growth         one day's file (--day-mb each) into warehouses already holding 0 (the day
                 alone) and --history-days days of the same dataset, land + build (bench/growth.py)
  dry run        retail-imports dry-run of the same file
Each stage prints the machine's load average when it starts: on a shared
machine, compare ratios measured at the same load. The last lines compare
the figures with the targets of README "Performance".
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

from loaders.dbt import environ
from loaders.project import make_delivery_folders

from .generate import DATASETS, START, Dataset, write_file
from .growth import Growth, GrowthPoint
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

# README "Performance": what each stage may cost, as a ratio (issues 12 and 16).
TARGETS = {"land time": 1.3, "land memory": 1.5, "land+build time": 5.0, "memory for 4x file": 4.0,
           "day on 90 days": 1.3, "day on 365 days": 1.5, "memory on 365 days": 1.5}
LABELS = {"land time": "land time x floor", "land memory": "land peak memory x floor",
          "land+build time": "land + dbt build time x floor",
          "memory for 4x file": "peak memory, 4x file / 1/4 file (worst of land, land+build)",
          "day on 90 days": "one day on 90 days / the day alone, time",
          "day on 365 days": "one day on 365 days / the day alone, time",
          "memory on 365 days": "one day on 365 days / the day alone, peak memory"}


def loadavg() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


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
        self.growth: list[tuple[str, int, list[GrowthPoint]]] = []
        self.ratios: dict[tuple[str, str], float] = {}

    def _env(self, base: Path, data: Path) -> dict:
        """A warehouse, dbt target and profile of its own under `base`, reading only `data`."""
        (base / "profiles").mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "profiles.yml.example", base / "profiles" / "profiles.yml")
        return {
            **os.environ, "DO_NOT_TRACK": "1",
            "RETAIL_WAREHOUSE": str(base / "warehouse.duckdb"), "RETAIL_DATA_DIR": str(data),
            "DBT_PROFILES_DIR": str(base / "profiles"), "DBT_TARGET_PATH": str(base / "target"),
            "DBT_LOG_PATH": str(base / "logs"),
        }

    def _run(self, stage: str, base: Path, data: Path, *args: str, timed: bool = True) -> Measurement:
        self.console.print(f"  {stage}" + (f"  (load {loadavg():.1f})" if timed else ""), highlight=False)
        env = self._env(base, data)
        with environ(**env):   # the other sources of the project deliver nothing here, but their folders exist
            make_delivery_folders(ROOT)
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

    def dataset(self, key: str, args: argparse.Namespace) -> None:
        dataset = DATASETS[key]
        scale_bytes = args.scale_mb * MB
        self.console.print(f"[bold]{key}[/bold] ({dataset.description})")
        if not args.skip_first_build:
            self._first_build(key, dataset, scale_bytes, args.skip_dry_run)
        for day_mb in args.day_mb:
            self._growth(key, dataset, day_mb, args.history_days, args.chunk_days)

    def _first_build(self, key: str, dataset: Dataset, scale_bytes: int, skip_dry_run: bool) -> None:
        self.console.print(f"  generating {scale_bytes // MB} MB", highlight=False)
        data = self.work / key / "full"
        path, rows = write_file(dataset, data, START, scale_bytes)
        size = path.stat().st_size
        self.console.print(f"  floor  (load {loadavg():.1f})", highlight=False)
        floor = self._floor(dataset, path, f"{key}-floor")
        self._add(key, "floor: DuckDB read_csv all_varchar", floor, rows, size, floor)
        land = self._run("land", self.work / "runs" / f"{key}-land", data, "land", dataset.name)
        self._add(key, "land", land, rows, size, floor)
        build = self._run("land + dbt build", self.work / "runs" / f"{key}-build", data, "run")
        self._add(key, "land + dbt build", build, rows, size, floor)
        self.ratios[(key, "land time")] = land.seconds / floor.seconds
        self.ratios[(key, "land memory")] = land.peak_rss / floor.peak_rss
        self.ratios[(key, "land+build time")] = build.seconds / floor.seconds

        quarter = self.work / key / "quarter"
        q_path, q_rows = write_file(dataset, quarter, START, scale_bytes // 4)
        q_size = q_path.stat().st_size
        q_floor = self._floor(dataset, q_path, f"{key}-quarter-floor")
        q_land = self._run("land, 1/4 file", self.work / "runs" / f"{key}-quarter-land", quarter, "land", dataset.name)
        q_build = self._run("land + dbt build, 1/4 file", self.work / "runs" / f"{key}-quarter-build", quarter, "run")
        self._add(key, "land, 1/4 file", q_land, q_rows, q_size, q_floor)
        self._add(key, "land + dbt build, 1/4 file", q_build, q_rows, q_size, q_floor)
        self.ratios[(key, "memory for 4x file")] = max(land.peak_rss / q_land.peak_rss, build.peak_rss / q_build.peak_rss)

        if not skip_dry_run:
            dry = self._run("dry run", self.work / "runs" / f"{key}-dry", data, "dry-run", dataset.name,
                            "--report-dir", str(self.work / key / "reports"))
            self._add(key, "dry run", dry, rows, size, floor)

    def _growth(self, key: str, dataset: Dataset, day_mb: int, history_days: list[int], chunk_days: int) -> None:
        self.console.print(f"  growth: one {day_mb} MB day on {', '.join(map(str, [0, *history_days]))} days",
                           highlight=False)
        growth = Growth(dataset, day_mb * MB, self.work / key / f"growth-{day_mb}mb", chunk_days, self._run,
                        lambda line: self.console.print(line, highlight=False))
        points = [growth.measure(days, loadavg) for days in [0, *history_days]]
        self.growth.append((key, day_mb, points))
        alone = points[0].m
        for point in points[1:]:
            if point.history_days in (90, 365):
                self.ratios[(f"{key} {day_mb} MB", f"day on {point.history_days} days")] = point.m.seconds / alone.seconds
            if point.history_days == 365:
                self.ratios[(f"{key} {day_mb} MB", "memory on 365 days")] = point.m.peak_rss / alone.peak_rss

    def _add(self, dataset: str, stage: str, m: Measurement, rows: int, size: int, floor: Measurement) -> None:
        self.rows.append(Row(dataset, stage, m, rows, size, floor))

    def report(self) -> None:
        cores = os.cpu_count()
        if self.rows:
            table = Table(title=f"First build: retail-imports against plain DuckDB, {cores} cores "
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
        if self.growth:
            table = Table(title=f"History growth: one day's file, land + dbt build, into N days of the same "
                                f"dataset, {cores} cores (ratios: to the day alone)")
            for col in ("dataset", "day MB", "history days", "wall s", "peak RSS MB", "time x alone",
                        "memory x alone", "load 1m"):
                table.add_column(col, justify="left" if col == "dataset" else "right")
            for key, day_mb, points in self.growth:
                alone = points[0].m
                for point in points:
                    table.add_row(key, str(day_mb), str(point.history_days), f"{point.m.seconds:.2f}",
                                  f"{point.m.peak_rss / MB:.0f}", f"{point.m.seconds / alone.seconds:.2f}",
                                  f"{point.m.peak_rss / alone.peak_rss:.2f}", f"{point.load:.1f}")
            self.console.print(table)
        self.console.print(f"load average at the end {loadavg():.1f} on {cores} cores (above ~0.5 the machine was "
                           "busy: times and ratios are inflated)", highlight=False)
        for (dataset, name), value in self.ratios.items():
            ok = value <= TARGETS[name]
            self.console.print(f"{dataset:22s} {LABELS[name]:62s} {value:6.2f}  target <= {TARGETS[name]:.1f}  "
                               f"{'[green]met[/green]' if ok else '[red]missed[/red]'}", highlight=False)


# what the lead re-measures at the end of a change: the growth stage only, one 10 MB day on 30 and 90 days
QUICK = ["--skip-first-build", "--day-mb", "10", "--history-days", "30,90", "--chunk-days", "60"]


def _numbers(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale-mb", type=int, default=100,
                        help="size of each file of the first-build stages (default 100; the targets are set at 600)")
    parser.add_argument("--datasets", default=",".join(DATASETS),
                        help=f"comma-separated, from: {', '.join(DATASETS)} (default: all)")
    parser.add_argument("--day-mb", type=_numbers, default=[10, 50],
                        help="growth stage: sizes of the day's file, comma-separated (default 10,50)")
    parser.add_argument("--history-days", type=_numbers, default=[30, 90, 365],
                        help="growth stage: days of history to measure the day on, ascending; 0, the day alone, "
                             "is always measured (default 30,90,365)")
    parser.add_argument("--chunk-days", type=int, default=30,
                        help="growth stage: days of history back-filled per (untimed) build (default 30)")
    parser.add_argument("--work-dir", type=Path, help="keep files and warehouses here instead of a temporary folder")
    parser.add_argument("--skip-first-build", action="store_true", help="only the growth stage")
    parser.add_argument("--skip-growth", action="store_true", help="skip the growth stage")
    parser.add_argument("--skip-dry-run", action="store_true", help="skip the dry-run stage")
    parser.add_argument("--quick", action="store_true",
                        help=f"only the growth stage, at its quick sizes: {' '.join(QUICK)} (about 15 minutes "
                             "on 2 cores; flags given with it win)")
    args = parser.parse_args()
    if args.quick:   # the preset first, so the flags given on the command line win
        args = parser.parse_args([*QUICK, *(a for a in sys.argv[1:] if a != "--quick")])
    chosen = [d.strip() for d in args.datasets.split(",") if d.strip()]
    unknown = [d for d in chosen if d not in DATASETS]
    if unknown:
        parser.error(f"unknown dataset(s) {', '.join(unknown)}; choose from {', '.join(DATASETS)}")
    # 0 (the day alone) is always measured: the reference of the ratios
    args.history_days = [days for days in args.history_days if days != 0]
    if args.history_days != sorted(set(args.history_days)) or any(d < 0 for d in args.history_days):
        parser.error("--history-days: days of history, ascending (the history is grown, not rebuilt)")
    if args.skip_growth:
        args.day_mb = []

    work = args.work_dir or Path(tempfile.mkdtemp(prefix="retail-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    console = Console(width=170)
    console.print(f"python -m bench: {os.cpu_count()} cores, load average {loadavg():.1f} at start; work dir {work}",
                  highlight=False)
    bench = Bench(work, console)
    try:
        for key in chosen:
            bench.dataset(key, args)
        bench.report()
    finally:
        if not args.work_dir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
