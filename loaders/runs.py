"""A run as the warehouse records it: one row of loader.runs, kept current while the run goes.

Every verb that writes the warehouse (land, run, import, each run of a
schedule) starts a row (`running`), moves its `stage` as it goes (download
and landing per file, dbt build) and ends it `completed`, `completed with
errors`, `failed` or `cancelled`. Each change is followed by a snapshot
(warehouse.publish_snapshot), so `schedules` can show a run in progress.

Stages are also printed, one line each on stderr, when RETAIL_IMPORTS_TRACE
is set: what a log of unattended runs (or a test timing a signal) needs.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path

from .interrupts import deferred_signals
from .pii import mask_text
from .warehouse import META_SCHEMA, Warehouse, utcnow

RUNNING, COMPLETED, WITH_ERRORS, FAILED, CANCELLED = (
    "running", "completed", "completed with errors", "failed", "cancelled")


def trace(stage: str) -> None:
    """One line per stage on stderr when RETAIL_IMPORTS_TRACE is set."""
    if os.environ.get("RETAIL_IMPORTS_TRACE"):
        print(f"{utcnow():%Y-%m-%dT%H:%M:%SZ} stage: {stage}", file=sys.stderr, flush=True)


class RunRecord:
    """The loader.runs row of this process's run in one warehouse."""

    def __init__(self, warehouse: Path, command: str, sources: list[str], schedule: str | None = None,
                 scheduled: bool = False):
        self.warehouse = warehouse
        self.run_id: int | None = None
        with Warehouse(warehouse) as wh:
            self.run_id = wh.con.execute(f"select nextval('{META_SCHEMA}.run_ids')").fetchone()[0]
            wh.con.execute(
                f"insert into {META_SCHEMA}.runs (run_id, command, schedule, scheduled, sources, pid, started_at, "
                "status, stage) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [self.run_id, command, schedule, scheduled or schedule is not None, sources, os.getpid(), utcnow(),
                 RUNNING, "starting"])
            wh.publish_snapshot()
        trace(f"run {self.run_id} {command} {' '.join(sources)}")

    def stage(self, stage: str, wh: Warehouse | None = None) -> None:
        """The run moved on to `stage`; `wh`: the open warehouse, if this process has one."""
        trace(stage)
        with _opened(self.warehouse, wh) as con:
            con.con.execute(f"update {META_SCHEMA}.runs set stage = ? where run_id = ?", [stage, self.run_id])
            con.publish_snapshot()

    def finish(self, status: str, summary=None, message: str | None = None) -> None:
        with deferred_signals(), _opened(self.warehouse, None) as wh:
            counts = [None, None, None]
            if summary is not None:
                counts = [summary.count("landed"), summary.count("failed"), summary.rows_rejected]
            wh.con.execute(
                f"update {META_SCHEMA}.runs set status = ?, finished_at = ?, stage = null, files_landed = ?, "
                "files_failed = ?, rows_rejected = ?, message = ? where run_id = ?",
                [status, utcnow(), *counts, message, self.run_id])
            wh.publish_snapshot()
        trace(f"run {self.run_id} {status}")


@contextmanager
def _opened(path: Path, wh: Warehouse | None):
    if wh is not None:
        yield wh
        return
    with Warehouse(path) as opened:
        yield opened


@contextmanager
def recorded(warehouse: Path, command: str, sources: list[str], schedule: str | None = None,
             scheduled: bool = False):
    """Record the run of the block: its outcome from the summary it sets (`run.summary`), or how it ended.

    The block sets `run.summary` (the landing summary) and `run.ok` (False
    when the build failed); an interrupt ends the row `cancelled`, any
    other exception `failed`, and is raised on.
    """
    run = RunRecord(warehouse, command, sources, schedule, scheduled)
    run.summary, run.ok, run.message = None, True, None
    try:
        yield run
    except BaseException as exc:
        from .interrupts import interrupted

        status = CANCELLED if interrupted(exc) else FAILED
        try:
            run.finish(status, run.summary, mask_text(_first_line(exc)) if status == FAILED else "interrupted")
        except Exception:   # e.g. the disk that stopped the run is still full: the run's own error is the news
            pass
        raise
    failed = (run.summary is not None and run.summary.failed) or not run.ok
    run.finish(WITH_ERRORS if failed else COMPLETED, run.summary, run.message)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
