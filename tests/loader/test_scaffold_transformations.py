"""add-retailer declares field transformations and asks for what its flags do not say."""

from __future__ import annotations

import os
import shutil
import subprocess

import yaml

from conftest import CLI, ROOT, run_cli


def _copy_project(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(".venv", "target", "logs", "warehouse", "data", ".git"))
    return project


def _loader(project, retailer):
    sources = yaml.safe_load((project / f"models/staging/{retailer}/_{retailer}__sources.yml").read_text())
    return sources["sources"][0]["tables"][0]["config"]["meta"]["loader"]


def test_transformation_flags_become_the_sources_transformations(tmp_path):
    project = _copy_project(tmp_path)
    result = run_cli("add-retailer", "northwind", "--dataset", "users:kevel_users:drop/nw/users_*.csv",
                     "--rename", "users:mail=email", "--copy", "users:tier=tier_code", "--new", "users:source=pos",
                     "--delete", "users:internal", "--map", "users:tier:1=gold,2=silver",
                     "--timestamp", "users:signup:dd/MM/yyyy HH:mm", "--cast", "users:orders:integer", cwd=project)
    assert result.code == 0, result.err
    assert _loader(project, "northwind")["transformations"] == [
        {"rename": "mail", "to": "email"},
        {"copy": "tier", "to": "tier_code"},
        {"new": "source", "value": "pos"},
        {"delete": "internal"},
        # value changes of a delivered field: a rename to itself carries them
        {"rename": "tier", "to": "tier", "values": [{"from": "1", "to": "gold"}, {"from": "2", "to": "silver"}]},
        {"rename": "signup", "to": "signup", "timestamp": "dd/MM/yyyy HH:mm"},
        {"rename": "orders", "to": "orders", "cast": "integer"},
    ]


def test_bad_transformation_flags_are_refused_with_the_expected_form(tmp_path):
    project = _copy_project(tmp_path)
    base = ["add-retailer", "northwind", "--dataset", "users:kevel_users:x_*.csv"]
    for flag, value, message in [
        ("--cast", "users:orders:number", "type 'number' is not one of string, integer, float, bool"),
        ("--rename", "users:mail", "expected NAME:FIELD=TO"),
        ("--map", "users:tier:1", "expected FROM=TO pairs"),
        ("--timestamp", "visits:signup:dd/MM/yyyy", "NAME one of the dataset names"),
    ]:
        result = run_cli(*base, flag, value, cwd=project)
        assert result.code == 1 and message in result.err and "Traceback" not in result.err, (flag, result.err)
    assert not (project / "models/staging/northwind").exists()


def test_add_retailer_asks_for_datasets_when_no_flag_gives_them(tmp_path):
    project = _copy_project(tmp_path)
    answers = "orders\nkevel_orders_csv\n\nn\n"   # name, format, default location, no other dataset
    proc = subprocess.run([*CLI, "add-retailer", "askco"], cwd=project, input=answers, capture_output=True,
                          text=True, env={**os.environ, "DO_NOT_TRACK": "1"}, timeout=120)
    assert proc.returncode == 0, proc.stderr
    loader = _loader(project, "askco")
    assert loader["format"] == "kevel_orders_csv" and loader["location"] == "drop/askco/askco_orders_*.csv"
    assert (project / "models/staging/askco/stg_askco__orders.sql").is_file()

    # a format fetched from an API asks for its settings, not for a location
    answers = "contacts\negoi_contacts\n321\n\nEGOI_API_KEY\nn\n"
    proc = subprocess.run([*CLI, "add-retailer", "askco3"], cwd=project, input=answers, capture_output=True,
                          text=True, env={**os.environ, "DO_NOT_TRACK": "1"}, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert _loader(project, "askco3") == {"source": "egoi_contacts", "format": "egoi_contacts", "list_id": "321",
                                          "api_key_env": "EGOI_API_KEY"}

    # an unknown format is asked again, not accepted
    proc = subprocess.run([*CLI, "add-retailer", "askco2"], cwd=project, input="orders\nnope\nkevel_orders_csv\n\nn\n",
                          capture_output=True, text=True, env={**os.environ, "DO_NOT_TRACK": "1"}, timeout=120)
    assert proc.returncode == 0 and "is not one of" in proc.stdout + proc.stderr
