"""`make demo` installs the base only (pyproject.toml): the demo's verbs must work without the extras'
libraries, and a feature that needs one must say which extra to install. Run with those libraries
made unimportable, in a subprocess."""

from __future__ import annotations

import subprocess
import sys
import tomllib

import pytest

from conftest import ROOT, MiniProject

EXTRAS = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
# the top-level modules of each extra's packages (and what they bring: google.* with dbt-bigquery)
MODULES = {"remote": ["s3fs", "gcsfs", "adlfs", "sshfs", "aiohttp"], "bigquery": ["google", "dbt.adapters.bigquery"],
           "collector": ["starlette", "uvicorn", "uvloop", "httptools", "orjson"]}
BLOCKED = [m for names in MODULES.values() for m in names]
RUN = f"""
import importlib.abc, sys
class Missing(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if any(name == b or name.startswith(b + ".") for b in {BLOCKED!r}):
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
sys.meta_path.insert(0, Missing())
from loaders.cli import main
sys.argv = ["retail-imports", *sys.argv[1:]]
main()
"""


def _run(mini: MiniProject, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", RUN, "--warehouse", str(mini.warehouse), *args], cwd=mini.root,
                          capture_output=True, text=True, timeout=300, env={"DO_NOT_TRACK": "1", "COLUMNS": "120",
                                                                             "PATH": "/usr/bin:/bin"})


def test_the_extras_are_what_the_modules_name_and_dev_has_them_all():
    assert set(EXTRAS) == {"remote", "bigquery", "collector", "dev"}
    assert f"retail-imports[{','.join(MODULES)}]" in EXTRAS["dev"]


def test_the_demo_verbs_work_without_the_extras(mini):
    mini.declare("shop", {"visits": ("symbiosys_visits_csv", "shop_visits_*.csv")})
    mini.write("shop_visits_20240601.csv", "event_id,event_time,visitor_id,url\n"
                                           "e1,2024-06-01T10:00:00Z,v1,https://x.example/a\n")
    landed = _run(mini, "land")
    assert landed.returncode == 0, landed.stderr
    assert "1 landed" in landed.stderr
    shown = _run(mini, "status", "--files")
    assert shown.returncode == 0 and "shop_visits_20240601.csv" in shown.stdout, shown.stderr


@pytest.mark.parametrize("extra, args, location", [
    ("remote", ("land",), "s3://bucket/shop_visits_*.csv"),
    ("collector", ("serve",), None),
])
def test_a_feature_of_an_extra_names_the_extra(mini, extra, args, location):
    if location:
        mini.declare("shop", {"visits": ("symbiosys_visits_csv", "x")})
        path = mini.root / "models" / "_shop__sources.yml"
        path.write_text(path.read_text().replace(f'"{mini.data / "x"}"', f'"{location}"'))
    else:
        mini.declare("shop", {"events": ("symbiosys_visits_csv", "spool")}, {"source": "event_api"})
    result = _run(mini, *args)
    assert result.returncode == 1, result.stderr
    assert f"pip install 'retail-imports[{extra}]'" in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
