"""sqlfluff (dbt templater) passes on every model, rendered against a built demo warehouse.

The models introspect the relations they union, so they are rendered against
a warehouse the demo has been built into, in a temporary folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, run_cli

pytestmark = pytest.mark.dbt


def test_models_pass_sqlfluff(tmp_path):
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    shutil.copy(ROOT / "profiles.yml.example", profiles / "profiles.yml")
    env = {
        "RETAIL_WAREHOUSE": str(tmp_path / "lint.duckdb"),
        "RETAIL_DATA_DIR": str(tmp_path / "data"),
        "DBT_PROFILES_DIR": str(profiles),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
    }
    assert run_cli("demo-data", "--out", str(tmp_path / "data"), "--days", "1", cwd=ROOT).code == 0
    built = run_cli("run", cwd=ROOT, env=env)
    assert built.code == 0, built.err[-2000:]

    config = tmp_path / "lint.cfg"
    config.write_text(f"[sqlfluff:templater:dbt]\nprofiles_dir = {profiles}\n")
    sqlfluff = Path(sys.executable).with_name("sqlfluff")
    proc = subprocess.run(
        [str(sqlfluff), "lint", "models", "tests/dbt", "--config", str(config), "--disable-progress-bar"],
        cwd=ROOT, env={**os.environ, "DO_NOT_TRACK": "1", **env}, capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-2000:]
