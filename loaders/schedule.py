"""Run imports on a cron schedule, in UTC (vendor spec 003, "Import Schedules").

The schedule "can be specified according to years, months, days and
hours" and the user should "see the resulting description": an expression
has 5 fields (minute hour day month weekday), a 6th for the year (when it
names years, e.g. 2025 or 2025-2026) or the seconds, and a 7th for the
year after the seconds; `describe` says it in English (cron-descriptor),
in UTC. A source declares its schedule in `meta.loader.schedule`;
`configured` groups the sources by it.

The loop sleeps until the next time an expression names, runs one import,
and plans the next. A run that would overlap a running one is skipped and
logged: another process holding the warehouse lock (a second scheduler, a
manual `land`) makes the job return "skipped", and the times that passed
while this process's own run was still going are skipped and logged too,
never queued up. Files that failed are retried on later runs after a
back-off (importer.py), so a broken file does not fail every run.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

from croniter import CroniterBadDateError, croniter

from .errors import LoaderError

SKIPPED = 75
_YEARS = re.compile(r"\d{4}([-/,]\d{1,4})*")   # a year field: 2025, 2025-2026, 2025,2027, 2025/2


def check(expression: str) -> str:
    """The expression, if cron can read it (see the module); whitespace normalised."""
    expression = " ".join(str(expression).split())
    fields = expression.split(" ")
    if len(fields) not in (5, 6, 7) or not croniter.is_valid(_croniter_form(expression)):
        raise LoaderError(f"schedule {expression!r} is not a cron expression (e.g. '0 * * * *' hourly, "
                          "'30 6 * * *' daily at 06:30 UTC, '30 6 1 * * 2025' monthly in 2025; a 6th field is "
                          "the year when it names years, else seconds, and a 7th the year after the seconds)")
    return expression


def _croniter_form(expression: str) -> str:
    """croniter's order: minute hour day month weekday [seconds [year]]."""
    fields = expression.split(" ")
    if len(fields) == 6 and _YEARS.fullmatch(fields[5]):
        fields = [*fields[:5], "0", fields[5]]
    return " ".join(fields)


def describe(expression: str) -> str:
    """The schedule in plain English ('At 06:30, only in 2025'); its times are UTC."""
    from cron_descriptor import Options, get_description

    fields = _croniter_form(check(expression)).split(" ")
    seconds_first = [fields[5] if len(fields) > 5 else "0", *fields[:5], *fields[6:]]
    options = Options()
    options.use_24hour_time_format = True
    try:
        return get_description(" ".join(seconds_first), options)
    except Exception:  # cron-descriptor reads less than croniter: the expression itself stays true
        return expression


def next_time(expression: str, after: datetime) -> datetime | None:
    """The first time strictly after `after` that the expression names, in UTC; None if it names no more."""
    try:
        return croniter(_croniter_form(expression), after.astimezone(timezone.utc)).get_next(datetime)
    except CroniterBadDateError:
        return None


@dataclass(frozen=True)
class Schedule:
    expression: str
    sources: tuple[str, ...]    # source keys (retailer.dataset) landed together at each time


def configured(sources) -> list[Schedule]:
    """The schedules sources declare in meta.loader.schedule, one per expression, sources grouped."""
    groups: dict[str, list[str]] = {}
    for source in sources:
        expression = source.options.get("schedule")
        if expression is None:
            continue
        try:
            groups.setdefault(check(expression), []).append(source.key)
        except LoaderError as exc:
            where = f"{source.declared_in}: " if source.declared_in else ""
            raise LoaderError(f"{where}source {source.key}: meta.loader.{exc}") from None
    return [Schedule(expression, tuple(keys)) for expression, keys in groups.items()]


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
    return run_schedules([(expression, job, None)], log, max_runs=max_runs, run_now=run_now, now=now, sleep=sleep)


def run_schedules(
    plans: list[tuple[str, Callable[[], tuple[int, str | None]], str | None]],
    log: Callable[[str], None],
    *,
    max_runs: int | None = None,
    run_now: bool = False,
    now: Callable[[], datetime] = utc_now,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """run_schedule for several (expression, job, label) at once: whichever is due next runs next.

    A label (the sources of a configured schedule) names the schedule in the log lines.
    """
    planned: dict[int, datetime | None] = {}
    for index, (expression, _, label) in enumerate(plans):
        planned[index] = now() if run_now else next_time(check(expression), now())
        log(f"{stamp(now())} schedule '{expression}' ({describe(expression)}, UTC){_of(label)}: "
            + (f"first run at {stamp(planned[index])}" if planned[index] else "names no time from now on"))
    runs, worst = 0, 0
    while (max_runs is None or runs < max_runs) and any(planned.values()):
        index = min((i for i in planned if planned[i]), key=lambda i: planned[i])
        expression, job, label = plans[index]
        due = planned[index]
        while (wait := (due - now()).total_seconds()) > 0:
            sleep(min(wait, 60.0))  # wake up now and then: a suspended machine's clock jumps
        started = now()
        run = f"run{_of(label)} planned for {stamp(due)}"
        log(f"{stamp(started)} {run} started")
        code, note = job()
        runs += 1
        finished = now()
        if code == SKIPPED:
            log(f"{stamp(finished)} {run} skipped: {note or 'another run is in progress'}")
        else:
            worst = max(worst, 1 if code else 0)
            log(f"{stamp(finished)} {run} {'failed' if code else 'done'} "
                f"in {(finished - started).total_seconds():.1f}s{': ' + note if note else ''}")
        following, missed = next_time(expression, due), []
        while following is not None and following <= finished:
            missed.append(following)
            following = next_time(expression, following)
        if missed:
            log(f"{stamp(finished)} skipped {len(missed)} run(s){_of(label)} planned while this one was in progress "
                f"({stamp(missed[0])}{' .. ' + stamp(missed[-1]) if len(missed) > 1 else ''})")
        planned[index] = following
        if (max_runs is None or runs < max_runs) and following:
            log(f"{stamp(finished)} next run{_of(label)} at {stamp(following)}")
    return worst


def _of(label: str | None) -> str:
    return f" of {label}" if label else ""
