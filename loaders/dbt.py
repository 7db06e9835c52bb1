"""Run dbt in-process (no second interpreter start-up) against this project."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from .errors import LoaderError
from .interrupts import interrupted

# What an import builds: models, seeds and the data tests. Unit tests check
# the models' SQL on fixed rows, not the delivered data, so they run in the
# test suite (tests/e2e/test_demo_end_to_end.py), not in every import, where
# they would add seconds to each build.
BUILD = ["build", "--exclude-resource-type", "unit_test"]

# A daily build tests the rows landed since the last build that succeeded
# (macros/tests/get_where_subquery.sql reads this variable at run time) and
# leaves out the tests that can only judge whole tables (tag whole_table);
# `run --full-tests` tests everything. DECISIONLOG "Data tests on a daily run".
TESTS_AFTER_LOAD_ID = "RETAIL_TESTS_AFTER_LOAD_ID"
WHOLE_TABLE_TESTS = ["--exclude", "tag:whole_table"]


def profiles_dir(project_dir: Path) -> Path:
    """profiles.yml beside the project wins, then DBT_PROFILES_DIR, then ~/.dbt."""
    if (project_dir / "profiles.yml").is_file():
        return project_dir
    if os.environ.get("DBT_PROFILES_DIR"):
        return Path(os.environ["DBT_PROFILES_DIR"])
    home = Path.home() / ".dbt"
    if (home / "profiles.yml").is_file():
        return home
    raise LoaderError(
        f"no profiles.yml found: copy {project_dir / 'profiles.yml.example'} to {project_dir / 'profiles.yml'}"
    )


def run_dbt(project_dir: Path, args: list[str], warehouse: Path | None = None) -> bool:
    """`dbt <args>` in this process; with `warehouse`, on that DuckDB file (profiles.yml reads
    RETAIL_WAREHOUSE), so dbt builds the file the loader just landed into."""
    os.environ.setdefault("DO_NOT_TRACK", "1")
    from dbt.cli.main import dbtRunner  # imported late: dbt takes a second to import

    full = [*args, "--project-dir", str(project_dir), "--profiles-dir", str(profiles_dir(project_dir))]
    with environ(**({"RETAIL_WAREHOUSE": str(warehouse)} if warehouse else {})):
        result = dbtRunner().invoke(full)
    if result.exception is not None and interrupted(result.exception):
        raise KeyboardInterrupt   # dbt cancelled its queries; the run ends `cancelled`
    if result.exception is not None:
        raise LoaderError(f"dbt {' '.join(args)} failed: {result.exception}")
    return bool(result.success)


def build(project_dir: Path, warehouse: Path, dbt_args: list[str] | tuple = (), full_tests: bool = False,
          record: bool = True) -> bool:
    """`dbt build` after landing. Unless `full_tests`, the data tests read only the rows
    landed since the last build that succeeded, and whole-table tests are left out.
    `record`: note this build in loader.builds (a dry run's copy does not need to)."""
    from .warehouse import META_SCHEMA, Warehouse, utcnow

    started = utcnow()
    with Warehouse(warehouse) as wh:
        newest = wh.con.execute(f"select coalesce(max(load_id), 0) from {META_SCHEMA}.files").fetchone()[0]
        tested_after = wh.con.execute(
            f"select coalesce(max(last_load_id), 0) from {META_SCHEMA}.builds where succeeded").fetchone()[0]
    with environ(**{TESTS_AFTER_LOAD_ID: None if full_tests else str(tested_after)}):
        ok = run_dbt(project_dir, [*BUILD, *([] if full_tests else WHOLE_TABLE_TESTS), *dbt_args], warehouse)
    if record:
        with Warehouse(warehouse) as wh:
            wh.con.execute(f"insert into {META_SCHEMA}.builds values (?, ?, ?, ?, ?)",
                           [started, utcnow(), newest, None if full_tests else tested_after, ok])
    return ok


@contextmanager
def environ(**values: str | None):
    """Set (a value) or unset (None) environment variables for the duration of the block:
    dbt runs in this process."""
    saved = {name: os.environ.get(name) for name in values}
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
