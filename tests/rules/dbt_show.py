"""Run project macros through the real dbt CLI (`dbt show --inline`) on a throw-away DuckDB file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).parent / "dbt"


def dbt_show(sql: str, tmp: Path) -> list[dict]:
    """The rows of `sql` (Jinja with the project's macros), compiled and run by dbt in this project."""
    env = {**os.environ, "DO_NOT_TRACK": "1", "RETAIL_WAREHOUSE": str(tmp / "show.duckdb")}
    proc = subprocess.run([str(DBT), "show", "--inline", sql, "--limit", "-1", "--output", "json", "--quiet",
                           "--target-path", str(tmp / "target"), "--log-path", str(tmp / "logs")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads(proc.stdout[proc.stdout.index("{"):])["show"]
