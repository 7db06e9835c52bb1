"""The command line's contract with scripts: --version, global options before or after the verb, and
exit code 2 with a suggestion for every bad usage (a mistyped verb, option, value, source or format)."""

from __future__ import annotations

import re
import tomllib

import pytest

from conftest import ROOT, MiniProject, run_cli


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    mini = MiniProject(tmp_path_factory.mktemp("usage") / "project")
    mini.declare("acme", {"visits": ("symbiosys_visits_csv", "acme_visits_*.csv")})
    return mini


def test_version_is_the_package_version():
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    result = run_cli("--version", cwd=ROOT)
    assert (result.code, result.out.strip()) == (0, f"retail-imports {version}")


def test_global_options_work_after_the_verb_too(project, tmp_path):
    warehouse = tmp_path / "elsewhere.duckdb"
    before = run_cli("--project-dir", str(project.root), "--warehouse", str(warehouse), "land", cwd=tmp_path)
    after = run_cli("land", "--project-dir", str(project.root), "--warehouse", str(warehouse), cwd=tmp_path)
    assert before.code == after.code == 0, (before.err, after.err)
    assert warehouse.exists()
    status = run_cli("status", "--json", "--warehouse", str(warehouse), "--project-dir", str(project.root),
                     cwd=tmp_path)
    assert status.code == 0, status.err
    assert "--warehouse FILE" in run_cli("status", "--help", cwd=ROOT).out


@pytest.mark.parametrize("args, said", [
    (("stauts",), "Did you mean 'status'?"),
    (("status", "--fils"), "Did you mean '--files'?"),
    (("status", "--status", "landd"), "'landd' is not one of"),
    (("land", "acmee"), "unknown source acmee; did you mean acme?"),
    (("dry-run", "acme.visit"), "did you mean acme.visits?"),
    (("dry-run", "acme", "--file", "nothing_20240601.csv"), "no selected source delivers nothing_20240601.csv"),
    (("add-retailer", "x", "--dataset", "visits:symbiosys_visit_csv:drop/x_*.csv"),
     "did you mean symbiosys_visits_csv?"),
    (("add-retailer", "x", "--dataset", "visits"), "expected NAME:FORMAT:LOCATION"),
    (("add-retailer", "x", "--dataset", "visits:symbiosys_visits_csv:drop/x_*.csv", "--option", "visits:encodng=x"),
     "did you mean encoding?"),
    (("add-retailer", "x", "--dataset", "visits:symbiosys_visits_csv:drop/x_*.csv", "--cast", "visits:a:money"),
     "is not one of"),
])
def test_bad_usage_exits_2_with_a_suggestion(project, args, said):
    result = run_cli(*args, cwd=project.root)
    assert result.code == 2, (result.code, result.err)
    assert said in result.err
    assert "Traceback" not in result.err


def test_no_project_is_bad_usage_too(tmp_path):
    result = run_cli("status", cwd=tmp_path)
    assert result.code == 2
    assert re.search(r"no dbt_project.yml in .* pass --project-dir", result.err)
