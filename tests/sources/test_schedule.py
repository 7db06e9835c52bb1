"""Schedules: cron times in UTC, overlapping runs skipped with a clear line, failed files retried with back-off."""

from __future__ import annotations

import os
import re
import subprocess
import time
from datetime import datetime, timedelta, timezone

from conftest import CLI
from delivery import declare

from loaders.schedule import run_schedule

HEADER = "event_id,event_time,visitor_id,url"


def _spawn(mini, *args, env=None) -> subprocess.Popen:
    return subprocess.Popen([*CLI, "--warehouse", str(mini.warehouse), *args], cwd=mini.root,
                            env={**os.environ, "COLUMNS": "200", **(env or {})}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_two_overlapping_scheduled_runs_the_second_is_skipped_with_a_clear_line(mini, backend_pool):
    http = backend_pool("http")
    # the HTTP test server answers under /slow/ after a delay: the first run holds the warehouse a while
    place = http.new_prefix(under="slow/")
    place.put("acme_visits_20240601.csv", f"{HEADER}\ne1,2024-06-01T10:00:00Z,v1,https://x.example/a\n".encode())
    declare(mini, "acme", {"visits": {"format": "symbiosys_visits_csv", "location": f"{place.url}/acme_visits_*"}})

    first = _spawn(mini, "schedule", "0 0 1 1 *", "--now", "--max-runs", "1")
    lock = mini.warehouse.with_suffix(".duckdb.lock")
    deadline = time.monotonic() + 30
    while not (lock.exists() and lock.read_text().strip() == str(first.pid)):
        assert time.monotonic() < deadline and first.poll() is None, first.communicate()
        time.sleep(0.05)
    second = _spawn(mini, "schedule", "0 0 1 1 *", "--now", "--max-runs", "1")
    second_out, second_err = second.communicate(timeout=60)
    first_out, first_err = first.communicate(timeout=60)

    assert second.returncode == 0, second_err
    assert re.search(r"^\S+Z run planned for \S+Z skipped: another run is in progress "
                     rf"\(pid {first.pid}, lock {re.escape(str(lock))}\)$", second_err, re.M), second_err
    assert first.returncode == 0, first_err
    assert "1 landed, 0 unchanged, 0 failed" in first_err
    assert re.search(r"run planned for \S+Z done in", first_err)
    assert mini.query("select count(*) from raw_acme.visits") == [(1,)]


def test_runs_happen_at_the_cron_times_in_utc(mini):
    mini.declare("shop", {"visits": ("symbiosys_visits_csv", "shop_visits_*.csv")})
    mini.write("shop_visits_20240601.csv", f"{HEADER}\ne1,2024-06-01T10:00:00Z,v1,https://x.example/a\n")
    # six fields: the last counts seconds, so the test need not wait for minutes
    result = mini.cli("schedule", "* * * * * */2", "--max-runs", "2")
    assert result.code == 0, result.err
    planned = [datetime.strptime(t, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
               for t in re.findall(r"run planned for (\S+) done", result.err)]
    assert len(planned) == 2 and planned[1] - planned[0] == timedelta(seconds=2)
    assert all(t.second % 2 == 0 for t in planned)
    assert "1 landed, 0 unchanged" in result.err and "0 landed, 1 unchanged" in result.err


def test_times_that_pass_during_a_long_run_are_skipped_and_logged_not_queued():
    clock = [datetime(2024, 6, 1, 12, 0, 30, tzinfo=timezone.utc)]
    lines, calls = [], []

    def job():
        calls.append(clock[0])
        clock[0] += timedelta(minutes=3, seconds=10) if len(calls) == 1 else timedelta(seconds=5)
        return 0, None

    def sleep(seconds):
        clock[0] += timedelta(seconds=seconds)

    code = run_schedule("*/1 * * * *", job, lines.append, max_runs=2, now=lambda: clock[0], sleep=sleep)
    assert code == 0
    assert [c.strftime("%H:%M:%S") for c in calls] == ["12:01:00", "12:05:00"]
    assert any("skipped 3 run(s) planned while this one was in progress "
               "(2024-06-01T12:02:00Z .. 2024-06-01T12:04:00Z)" in line for line in lines), lines


def test_a_bad_cron_expression_is_a_usage_error(mini):
    mini.declare("shop", {"visits": ("symbiosys_visits_csv", "shop_visits_*.csv")})
    result = mini.cli("schedule", "every hour")
    assert result.code == 2 and "is not a cron expression" in result.err and "Traceback" not in result.err


def test_failed_files_are_retried_after_their_backoff_or_at_once_when_changed(mini):
    mini.declare("shop", {"visits": ("symbiosys_visits_csv", "shop_visits_*.csv")}, extra={"retry_backoff_seconds": 2})
    broken = mini.write("shop_visits_20240601.csv", "")
    first = mini.cli("land", "--scheduled")
    assert first.code == 1 and "shop_visits_20240601.csv: file is empty" in first.err
    assert mini.query("select status, attempts from loader.files") == [("failed", 1)]

    waiting = mini.cli("land", "--scheduled")
    assert waiting.code == 0, waiting.err
    assert "0 failed, 1 waiting to retry" in waiting.err
    assert re.search(r"waiting .*shop_visits_20240601\.csv: failed 1 time\(s\), unchanged since; next try after", waiting.err)

    time.sleep(2.1)
    retried = mini.cli("land", "--scheduled")
    assert retried.code == 1 and "file is empty" in retried.err
    # a second failure doubles the wait
    (attempts, after, finished), = mini.query("select attempts, retry_after, finished_at from loader.files")
    assert attempts == 2 and after - finished == timedelta(seconds=4)

    broken.write_text(f"{HEADER}\ne1,2024-06-01T10:00:00Z,v1,https://x.example/a\n")
    fixed = mini.cli("land", "--scheduled")   # changed: no need to wait
    assert fixed.code == 0, fixed.err
    assert "1 landed" in fixed.err
    assert mini.query("select status, attempts from loader.files") == [("landed", None)]
    # an interactive land never waits
    assert mini.cli("land").code == 0


# --- configured schedules (spec 003: years, months, days and hours; a description; the status of each) -------


def _configured(mini, visits_schedule: str, orders_schedule: str, visits_location: str | None = None) -> None:
    declare(mini, "acme", {
        "visits": {"format": "symbiosys_visits_csv", "schedule": visits_schedule,
                   "location": visits_location or str(mini.data / "acme_visits_*.csv")},
        "orders": {"format": "symbiosys_orders_csv", "schedule": orders_schedule,
                   "location": str(mini.data / "acme_orders_*.csv")},
    })


def test_a_year_field_and_the_plain_english_description():
    from loaders.schedule import describe, next_time

    after = datetime(2024, 6, 1, 12, tzinfo=timezone.utc)
    assert describe("30 6 1 * * 2025") == "At 06:30, on day 1 of the month, only in 2025"
    assert next_time("30 6 1 * * 2025", after) == datetime(2025, 1, 1, 6, 30, tzinfo=timezone.utc)
    assert describe("0 6 * * 1-5 2025-2026") == "At 06:00, Monday through Friday, 2025 through 2026"
    assert next_time("0 * * * * 0 2024", after) == datetime(2024, 6, 1, 13, tzinfo=timezone.utc)  # 7 fields
    assert describe("* * * * * */2") == "Every 2 seconds"      # a 6th field that is no year: seconds
    assert next_time("0 6 * * * 2023", after) is None                 # a year that is over names no time


def test_the_schedule_verb_refuses_a_year_out_of_range(mini):
    mini.declare("shop", {"visits": ("symbiosys_visits_csv", "shop_visits_*.csv")})
    result = mini.cli("schedule", "0 6 * * * 2150")
    assert result.code == 2 and "is not a cron expression" in result.err and "Traceback" not in result.err


def test_configured_schedules_run_and_are_listed_with_last_run_outcome_and_next_run(mini):
    _configured(mini, "30 6 1 * * 2030", "* * * * * */2")
    mini.write("acme_orders_20240601.csv", "order_id,event_time,visitor_id,revenue,currency\nO1,2024-06-01T10:00:00Z,"
                                           "v1,10,EUR\n")
    never = mini.cli("schedules")   # before any run, and any warehouse
    assert never.code == 0, never.err
    assert [row[3] for row in _table_rows(never.out).values()] == ["never", "never"]

    ran = mini.cli("schedule", "--max-runs", "1")   # no CRON: each source on its own schedule
    assert ran.code == 0, ran.err
    assert "schedule '* * * * * */2' (Every 2 seconds, UTC) of acme.orders: first run at" in ran.err
    assert ("schedule '30 6 1 * * 2030' (At 06:30, on day 1 of the month, only in 2030, UTC) of acme.visits: "
            "first run at 2030-01-01T06:30:00Z") in ran.err
    assert re.search(r"run of acme\.orders planned for \S+ done in", ran.err)

    listed = mini.cli("schedules")
    assert listed.code == 0, listed.err
    rows = _table_rows(listed.out)
    assert rows["30 6 1 * * 2030"][1:] == ["At 06:30, on day 1 of the month, only in 2030 (UTC)", "acme.visits",
                                           "never", "", "2030-01-01 06:30:00"]
    expression, described, sources, last, outcome, following = rows["* * * * * */2"]
    assert (described, sources, outcome) == ("Every 2 seconds (UTC)", "acme.orders", "completed")
    assert datetime.strptime(following, "%Y-%m-%d %H:%M:%S") > datetime.strptime(last, "%Y-%m-%d %H:%M:%S")
    assert mini.query("select command, schedule, sources, status, files_landed from loader.runs") == [
        ("schedule", "* * * * * */2", ["acme.orders"], "completed", 1)]


def test_schedules_show_a_run_message_masked_and_escaped(mini):
    """A failed run's message may quote delivered text: personal values masked, markup and escapes shown as text."""
    import duckdb

    _configured(mini, "30 6 1 * * 2030", "0 6 * * *")
    assert mini.cli("land", "acme.orders").code == 0   # the warehouse and its loader.runs
    with duckdb.connect(str(mini.warehouse)) as con:
        con.execute("insert into loader.runs (run_id, command, schedule, scheduled, sources, started_at, finished_at, "
                    "status, message) values (99, 'schedule', '0 6 * * *', true, ['acme.orders'], "
                    "current_timestamp::timestamp, current_timestamp::timestamp, 'failed', ?)",
                    ["row of Ann.Lee@mail.example: \x1b[2J [bold]x[/bold]"])
    listed = mini.cli("schedules")
    assert listed.code == 0, listed.err
    shown = " ".join(listed.out.split())
    assert "Ann.Lee" not in shown and "<e-mail>" in shown
    assert "\x1b" not in listed.out and "\\x1b[2J" in shown and "[bold]x[/bold]" in shown


def test_schedules_show_a_run_in_progress_while_it_holds_the_warehouse(mini, backend_pool):
    http = backend_pool("http")
    place = http.new_prefix(under="slow/")     # the HTTP test server answers under /slow/ after a delay
    place.put("acme_visits_20240601.csv", f"{HEADER}\ne1,2024-06-01T10:00:00Z,v1,https://x.example/a\n".encode())
    _configured(mini, "0 6 * * *", "0 7 * * *", visits_location=f"{place.url}/acme_visits_*")
    assert mini.cli("land", "acme.orders").code == 0   # the warehouse exists, the snapshot too

    first = _spawn(mini, "schedule", "--now", "--max-runs", "1", "acme.visits")
    deadline, seen = time.monotonic() + 60, None
    while time.monotonic() < deadline and first.poll() is None:
        listed = mini.cli("schedules")
        assert listed.code == 0, listed.err
        if "running (download" in listed.out:   # downloading: the run holds the warehouse open
            seen = listed
            break
        time.sleep(0.2)
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert seen is not None, "the run in progress never showed"
    row = _table_rows(seen.out)["0 6 * * *"]
    assert row[4].startswith("running (download http://127.0.0.1:")
    assert "a run holds the warehouse: read from its snapshot of" in " ".join(seen.err.split())
    after = _table_rows(mini.cli("schedules").out)["0 6 * * *"]
    assert after[4] == "completed"


def _table_rows(out: str) -> dict[str, list[str]]:
    """A rich table's rows (drawn with lines between them) by their first cell, wrapped cells joined again."""
    rows, current = [], None
    for line in out.splitlines():
        if line.startswith("│"):
            cells = [c.strip() for c in line.strip().strip("│").split("│")]
            current = cells if current is None else [f"{a} {b}".strip() for a, b in zip(current, cells)]
        elif line.startswith(("├", "└")) and current is not None:
            rows.append(current)
            current = None
    return {r[0]: r for r in rows}
