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
        assert result.code == 2 and "not safe" in result.err, name      # bad usage
    result = run_cli("add-retailer", "acme", "--dataset", "visits:symbiosys_visits_csv:x_*.csv", cwd=project)
    assert result.code == 2 and "already exists" in result.err
    result = run_cli("add-retailer", "newco", "--dataset", "visits:nope:x_*.csv", cwd=project)
    assert result.code == 2 and "unknown format 'nope'" in result.err
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


def test_add_retailer_writes_an_api_source_without_location_and_refuses_mixed_forms(tmp_path):
    project = copy_project(tmp_path)
    for args, message in [
        (["--dataset", "contacts:egoi_contacts:drop/x/*.jsonl", "--option", "contacts:list_id=1",
          "--option", "contacts:api_key_env=K"], "format egoi_contacts is fetched from an API (egoi_contacts), "
                                                 "it has no location"),
        (["--dataset", "orders:kevel_orders_csv"], "format kevel_orders_csv reads delivered files: give NAME:FORMAT:LOCATION"),
        (["--dataset", "contacts:egoi_contacts", "--option", "contacts:api_key_env=K"],
         "meta.loader.list_id must be the numeric id of the E-goi list"),
        (["--dataset", "contacts:egoi_contacts", "--option", "contacts:list_id=1", "--option", "contacts:api_key=s3cr3t"],
         "option 'api_key' holds a literal secret"),
    ]:
        result = run_cli("add-retailer", "initech", *args, cwd=project)
        assert result.code == 2 and message in result.err and "Traceback" not in result.err, (args, result.err)
        assert not (project / "models/staging/initech").exists()

    result = run_cli("add-retailer", "initech", "--dataset", "contacts:egoi_contacts", "--option", "contacts:list_id=321",
                     "--option", "contacts:segment_id=7", "--option", "contacts:api_key_env=INITECH_EGOI_KEY",
                     cwd=project)
    assert result.code == 0, result.err
    folder = project / "models" / "staging" / "initech"
    config = yaml.safe_load((folder / "_initech__sources.yml").read_text())["sources"][0]["tables"][0]["config"]
    assert config == {"meta": {"loader": {"source": "egoi_contacts", "format": "egoi_contacts", "list_id": "321",
                                          "segment_id": "7", "api_key_env": "INITECH_EGOI_KEY"}}}
    project_vars = yaml.safe_load((project / "dbt_project.yml").read_text())["vars"]["staging_models"]
    assert "stg_initech__contacts" in project_vars["users"]
    # the loader reads what it wrote, up to asking for the key
    landed = run_cli("--warehouse", str(tmp_path / "w.duckdb"), "land", "initech", cwd=project)
    assert landed.code == 1
    assert "environment variable INITECH_EGOI_KEY (option api_key_env) is not set" in landed.err
