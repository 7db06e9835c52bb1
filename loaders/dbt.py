"""Run dbt in-process (no second interpreter start-up) against this project."""

from __future__ import annotations

import os
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


def run_dbt(project_dir: Path, args: list[str]) -> bool:
    os.environ.setdefault("DO_NOT_TRACK", "1")
    from dbt.cli.main import dbtRunner  # imported late: dbt takes a second to import

    full = [*args, "--project-dir", str(project_dir), "--profiles-dir", str(profiles_dir(project_dir))]
    result = dbtRunner().invoke(full)
    if result.exception is not None and interrupted(result.exception):
        raise KeyboardInterrupt   # dbt cancelled its queries; the run ends `cancelled`
    if result.exception is not None:
        raise LoaderError(f"dbt {' '.join(args)} failed: {result.exception}")
    return bool(result.success)
