"""Run dbt in-process (no second interpreter start-up) against this project."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from .errors import LoaderError
from .interrupts import interrupted

# What an import builds: models, seeds, snapshots and the data tests. Unit
# tests check the models' SQL on fixed rows, not the delivered data, so they
# run in the test suite (tests/e2e/test_demo_end_to_end.py), not in every
# import, where they would add seconds to each build.
BUILD = ["build", "--exclude-resource-type", "unit_test"]


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


@contextmanager
def environ(**values: str):
    """Environment variables set for the duration (dbt reads its settings from them)."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


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
