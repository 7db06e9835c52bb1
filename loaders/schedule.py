"""Run imports on a cron schedule, in UTC (vendor spec 003, "Import Schedules").

The loop sleeps until the next time the expression names, runs one import,
and plans the next. A run that would overlap a running one is skipped and
logged: another process holding the warehouse lock (a second scheduler, a
manual `land`) makes the job return "skipped", and the times that passed
while this process's own run was still going are skipped and logged too,
never queued up. Files that failed are retried on later runs after a
back-off (importer.py), so a broken file does not fail every run.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Callable

from croniter import croniter

from .errors import LoaderError

SKIPPED = 75


def check(expression: str) -> str:
    """The expression, if cron can read it: 5 fields (minute hour day month weekday), or 6 with seconds last."""
    expression = " ".join(expression.split())
    if len(expression.split(" ")) not in (5, 6) or not croniter.is_valid(expression):
        raise LoaderError(f"schedule {expression!r} is not a cron expression (e.g. '0 * * * *' hourly, "
                          "'30 6 * * *' daily at 06:30 UTC; a 6th field counts seconds)")
    return expression


def next_time(expression: str, after: datetime) -> datetime:
    """The first time strictly after `after` that the expression names, in UTC."""
    return croniter(expression, after.astimezone(timezone.utc)).get_next(datetime)


def stamp(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def run_schedule(
    expression: str,
    job: Callable[[], tuple[int, str | None]],
    log: Callable[[str], None],
    *,
    max_runs: int | None = None,
    run_now: bool = False,
    now: Callable[[], datetime] = utc_now,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Call `job` at each time of `expression`; 1 if any run failed, else 0 (skipped runs are not failures).

    `job` returns an exit code (0 done, 1 failed, 75 skipped: another run in progress) and a note
    saying why, for the log.
    """
    expression = check(expression)
    planned = now() if run_now else next_time(expression, now())
    log(f"{stamp(now())} schedule '{expression}' (UTC): first run at {stamp(planned)}")
    runs, worst = 0, 0
    while max_runs is None or runs < max_runs:
        while (wait := (planned - now()).total_seconds()) > 0:
            sleep(min(wait, 60.0))  # wake up now and then: a suspended machine's clock jumps
        started = now()
        log(f"{stamp(started)} run planned for {stamp(planned)} started")
        code, note = job()
        runs += 1
        finished = now()
        if code == SKIPPED:
            log(f"{stamp(finished)} run planned for {stamp(planned)} skipped: {note or 'another run is in progress'}")
        else:
            worst = max(worst, 1 if code else 0)
            log(f"{stamp(finished)} run planned for {stamp(planned)} {'failed' if code else 'done'} "
                f"in {(finished - started).total_seconds():.1f}s{': ' + note if note else ''}")
        following, missed = next_time(expression, planned), []
        while following <= finished:
            missed.append(following)
            following = next_time(expression, following)
        if missed:
            log(f"{stamp(finished)} skipped {len(missed)} run(s) planned while this one was in progress "
                f"({stamp(missed[0])}{' .. ' + stamp(missed[-1]) if len(missed) > 1 else ''})")
        planned = following
        if max_runs is None or runs < max_runs:
            log(f"{stamp(finished)} next run at {stamp(planned)}")
    return worst
