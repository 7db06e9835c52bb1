"""add-retailer writes a staging folder the loader and dbt both understand."""

from __future__ import annotations

import yaml

from conftest import copy_project, run_cli


def test_add_retailer_writes_sources_models_and_registers_them(tmp_path):
    project = copy_project(tmp_path)
    result = run_cli("add-retailer", "globex",
                     "--dataset", "visits:symbiosys_visits_csv:drop/globex/globex_visits_*.csv",
                     "--dataset", "orders:symbiosys_orders_csv:drop/globex/globex_orders_*.csv", cwd=project)
    assert result.code == 0, result.err
    folder = project / "models" / "staging" / "globex"
    assert (folder / "stg_globex__visits.sql").read_text() == "{{ stage_source('globex', 'visits') }}\n"
    sources = yaml.safe_load((folder / "_globex__sources.yml").read_text())
    config = sources["sources"][0]["tables"][0]["config"]
    assert config["meta"]["loader"] == {
        "format": "symbiosys_visits_csv", "location": "drop/globex/globex_visits_*.csv", "cadence": "daily"}
    # dbt source freshness on the landing time, with the thresholds of a daily delivery
    assert config["loaded_at_field"] == "_loaded_at"
    assert config["freshness"] == {"warn_after": {"count": 36, "period": "hour"},
                                   "error_after": {"count": 72, "period": "hour"}}
    models = yaml.safe_load((folder / "_globex__models.yml").read_text())["models"]
    assert {m["name"] for m in models} == {"stg_globex__visits", "stg_globex__orders"}
    assert all(c.get("description") for m in models for c in m["columns"])
    project_vars = yaml.safe_load((project / "dbt_project.yml").read_text())["vars"]["staging_models"]
    assert "stg_globex__visits" in project_vars["page_views"] and "stg_globex__orders" in project_vars["orders"]

    # the loader sees the new sources at once
    status = run_cli("--warehouse", str(tmp_path / "w.duckdb"), "land", "globex", cwd=project)
    assert status.code == 0, status.err
    assert "0 landed, 0 unchanged, 0 failed" in status.err


def test_add_retailer_refuses_unsafe_names_and_existing_folders(tmp_path):
    project = copy_project(tmp_path)
    for name in ("Globex", "../evil", "a__b", "1shop", "drop table"):
        result = run_cli("add-retailer", name, "--dataset", "visits:symbiosys_visits_csv:x_*.csv", cwd=project)
        assert result.code == 1 and "not safe" in result.err, name
    result = run_cli("add-retailer", "acme", "--dataset", "visits:symbiosys_visits_csv:x_*.csv", cwd=project)
    assert result.code == 1 and "already exists" in result.err
    result = run_cli("add-retailer", "newco", "--dataset", "visits:nope:x_*.csv", cwd=project)
    assert result.code == 1 and "unknown format 'nope'" in result.err
    assert not (project / "models" / "staging" / "newco").exists()


def test_add_retailer_hourly_cadence_sets_meta_and_tighter_freshness(tmp_path):
    project = copy_project(tmp_path)
    result = run_cli("add-retailer", "hourlyco", "--cadence", "hourly",
                     "--dataset", "visits:symbiosys_visits_csv:drop/h/hourlyco_visits_*.csv", cwd=project)
    assert result.code == 0, result.err
    table = yaml.safe_load((project / "models/staging/hourlyco/_hourlyco__sources.yml").read_text())["sources"][0]["tables"][0]
    assert table["config"]["meta"]["loader"]["cadence"] == "hourly"
    assert table["config"]["freshness"]["warn_after"] == {"count": 3, "period": "hour"}

    result = run_cli("add-retailer", "weeklyco", "--cadence", "weekly",
                     "--dataset", "visits:symbiosys_visits_csv:x_*.csv", cwd=project)
    assert result.code == 2 and "'weekly' is not one of 'daily', 'hourly'" in result.err
    assert not (project / "models" / "staging" / "weeklyco").exists()
