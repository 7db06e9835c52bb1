"""kill -9 at any moment leaves a consistent warehouse; two runs never overlap."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import duckdb

from conftest import CLI
from .corpus import V, rows

FILES = 4
ROWS_PER_FILE = 40_000


def _project(mini):
    mini.declare("shop", {"visits": ("symbiosys_visits_csv", "shop_visits_*.csv")})
    for day in range(1, FILES + 1):
        mini.write(f"shop_visits_2024060{day}.csv", V + rows(ROWS_PER_FILE, start=day * 1_000_000))
    return mini


def _start(mini, warehouse) -> subprocess.Popen:
    env = {**os.environ, "DO_NOT_TRACK": "1"}
    return subprocess.Popen([*CLI, "--warehouse", str(warehouse), "land"], cwd=mini.root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _consistent(warehouse) -> int:
    """Every file with rows is whole and in the manifest; returns the files fully landed.

    A file killed between its two transactions is `numbering`: whole rows
    still waiting for their line numbers, landed again by the next run.
    """
    with duckdb.connect(str(warehouse)) as con:
        try:
            manifest = {name: (status, n) for name, status, n in con.execute(
                "select file_name, status, rows_landed from loader.files where status in ('landed', 'numbering')"
            ).fetchall()}
        except duckdb.CatalogException:  # killed before the loader's tables were created
            return 0
        try:
            raw = {name: (n, numbered) for name, n, numbered in con.execute(
                "select _source_file, count(*), count(_line_number) from raw_shop.visits group by 1").fetchall()}
        except duckdb.CatalogException:
            raw = {}
    assert {name: n for name, (n, _) in raw.items()} == {name: n for name, (_, n) in manifest.items() if n}, (
        raw, manifest)
    for name, (status, _) in manifest.items():
        if status == "landed" and name in raw:
            assert raw[name][1] == raw[name][0], f"{name} is landed but has rows without a line number"
    return sum(1 for status, _ in manifest.values() if status == "landed")


def test_sigkill_at_twenty_points_never_leaves_a_partial_file(mini, tmp_path):
    _project(mini)
    started = time.monotonic()
    full = _start(mini, tmp_path / "reference.duckdb")
    assert full.wait(timeout=300) == 0
    duration = time.monotonic() - started

    outcomes = []
    for trial in range(20):
        warehouse = tmp_path / f"trial{trial}.duckdb"
        proc = _start(mini, warehouse)
        time.sleep(duration * (0.1 + 0.85 * trial / 19))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        landed_before = _consistent(warehouse) if warehouse.exists() else 0
        outcomes.append(landed_before)

        rerun = _start(mini, warehouse)
        out, err = rerun.communicate(timeout=300)
        assert rerun.returncode == 0, err
        assert _consistent(warehouse) == FILES
        with duckdb.connect(str(warehouse), read_only=True) as con:
            assert con.execute("select count(*), count(distinct event_id) from raw_shop.visits").fetchone() == (
                FILES * ROWS_PER_FILE, FILES * ROWS_PER_FILE)
    # the kills really fell at different stages of the landing
    assert len(set(outcomes)) >= 3, outcomes


def test_second_run_is_skipped_promptly_while_the_first_lands(mini, tmp_path):
    _project(mini)
    warehouse = tmp_path / "w.duckdb"
    first = _start(mini, warehouse)
    lock = tmp_path / "w.duckdb.lock"
    deadline = time.monotonic() + 60
    while not (lock.exists() and lock.read_text().strip() == str(first.pid)):
        assert time.monotonic() < deadline, "first run never took the lock"
        time.sleep(0.01)
    started = time.monotonic()
    second = subprocess.run([*CLI, "--warehouse", str(warehouse), "land"], cwd=mini.root, capture_output=True,
                            text=True, env={**os.environ, "DO_NOT_TRACK": "1"}, timeout=60)
    assert time.monotonic() - started < 10
    assert second.returncode == 75
    assert f"skipped: another run is in progress (pid {first.pid}" in second.stderr
    assert first.wait(timeout=300) == 0
    assert _consistent(warehouse) == FILES


def test_lock_of_a_killed_run_is_recovered(mini, tmp_path):
    _project(mini)
    warehouse = tmp_path / "w.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, sys, time; h = open(sys.argv[1], 'a+'); fcntl.flock(h, fcntl.LOCK_EX); "
        "h.write('4242'); h.flush(); print('locked', flush=True); time.sleep(600)"), str(warehouse) + ".lock"],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    blocked = subprocess.run([*CLI, "--warehouse", str(warehouse), "land"], cwd=mini.root, capture_output=True, text=True)
    assert blocked.returncode == 75
    holder.kill()
    holder.wait()
    # the lock file (with a dead pid in it) is still there; the next run takes it over
    assert (tmp_path / "w.duckdb.lock").exists()
    after = subprocess.run([*CLI, "--warehouse", str(warehouse), "land"], cwd=mini.root, capture_output=True, text=True)
    assert after.returncode == 0, after.stderr
    assert _consistent(warehouse) == FILES
