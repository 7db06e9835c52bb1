"""History growth: what one day's delivery costs as the warehouse's history grows.

The same day's file (same date, same rows) lands into warehouses already
holding 0, 30, 90 and 365 days of the same dataset: the days just before it,
so its late events fall on days the warehouse has. The history is built
once and grown (30 -> 90 -> 365 days, older days back-filled in chunks of
`chunk_days` per build, not timed), and the day is measured on a copy of the
warehouse at each step, so every measurement starts from the same state a
daily run would. 0 days is the day alone, the reference of the ratios.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Callable

from .generate import START, Dataset, write_file
from .measure import Measurement

# the day measured: far enough from START for a year of history before it
MEASURED_DAY = START + timedelta(days=366)


@dataclass
class GrowthPoint:
    history_days: int
    m: Measurement
    load: float   # 1-minute load average when the stage started


class Growth:
    """One dataset and day size: grow the history, measure the day at each size."""

    def __init__(self, dataset: Dataset, day_bytes: int, work: Path, chunk_days: int,
                 run: Callable[..., Measurement], note: Callable[[str], None]):
        self.dataset, self.day_bytes, self.chunk_days = dataset, day_bytes, chunk_days
        self.run, self.note = run, note
        self.data = work / "data"          # every day's file, history and the measured day
        self.history = work / "history"    # the grown warehouse (RETAIL_WAREHOUSE of its runs)
        self.work = work
        self.built_days = 0

    def measure(self, history_days: int, loadavg: Callable[[], float]) -> GrowthPoint:
        if history_days:
            self._grow_to(history_days)
        name = f"day-on-{history_days}"
        copy = self.work / "runs" / name
        if copy.exists():
            shutil.rmtree(copy)
        if history_days:   # a copy of the grown warehouse, and its dbt target (partial parse)
            copy.mkdir(parents=True)
            shutil.copy(self.history / "warehouse.duckdb", copy / "warehouse.duckdb")
            if (self.history / "target").is_dir():
                shutil.copytree(self.history / "target", copy / "target")
        data = self.data if history_days else self.work / "alone"
        write_file(self.dataset, data, MEASURED_DAY, self.day_bytes)
        load = loadavg()
        m = self.run(f"one day ({self.day_bytes >> 20} MB) on {history_days} days", copy, data, "run")
        # where the time went: dbt's timing of every node, kept beside the growth data
        results = copy / "target" / "run_results.json"
        if results.is_file():
            shutil.copy(results, self.work / f"run_results_day_on_{history_days}.json")
        shutil.rmtree(copy, ignore_errors=True)   # a copy of a year of history is large
        return GrowthPoint(history_days, m, load)

    def _grow_to(self, days: int) -> None:
        """Back-fill the days before the measured day until the history holds `days` of them."""
        while self.built_days < days:
            chunk = min(self.chunk_days, days - self.built_days)
            first = MEASURED_DAY - timedelta(days=self.built_days + chunk)
            self.note(f"    history: {self.built_days} -> {self.built_days + chunk} days (not timed)")
            for offset in range(chunk):
                write_file(self.dataset, self.data, first + timedelta(days=offset), self.day_bytes)
            self._hide_measured_day()
            self.run(f"history {self.built_days + chunk} days", self.history, self.data, "run", timed=False)
            self.built_days += chunk

    def _hide_measured_day(self) -> None:
        """The measured day is not history: the grown warehouse never lands it."""
        day_file = self.data / self.dataset.folder / self.dataset.file_pattern.format(day=f"{MEASURED_DAY:%Y%m%d}")
        day_file.unlink(missing_ok=True)
