"""`make lint` passes on a fresh clone: sqlfluff (dbt templater) on every model and dbt test, ruff on the Python.

A fresh clone has no warehouse yet; `make lint` renders the models against an
empty in-memory DuckDB (RETAIL_WAREHOUSE=:memory:), so this runs the same
command in a copy of the project that has no warehouse, target or logs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, copy_project

BIN = Path(sys.executable).parent


@pytest.mark.dbt
def test_models_pass_sqlfluff_on_a_fresh_clone(tmp_path):
    project = copy_project(tmp_path)
    assert not (project / "warehouse").exists()
    (project / "profiles.yml").write_text((ROOT / "profiles.yml.example").read_text())
    proc = subprocess.run(
        [str(BIN / "sqlfluff"), "lint", "models", "tests/dbt", "--disable-progress-bar"],
        cwd=project, env={**os.environ, "DO_NOT_TRACK": "1", "RETAIL_WAREHOUSE": ":memory:"},
        capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-2000:]
    assert not (project / "warehouse").exists()


def test_python_passes_ruff():
    proc = subprocess.run([str(BIN / "ruff"), "check", "loaders", "tests", "bench"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-5000:]
