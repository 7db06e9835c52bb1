"""add-retailer declares field transformations and asks for what its flags do not say."""

from __future__ import annotations

import os
import subprocess

from conftest import CLI, copy_project, loader_block, run_cli


def test_transformation_flags_become_the_sources_transformations(tmp_path):
    project = copy_project(tmp_path)
    result = run_cli("add-retailer", "northwind", "--dataset", "users:kevel_users:drop/nw/users_*.csv",
                     "--rename", "users:mail=email", "--copy", "users:tier=tier_code", "--new", "users:source=pos",
                     "--delete", "users:internal", "--map", "users:tier:1=gold,2=silver",
                     "--timestamp", "users:signup:dd/MM/yyyy HH:mm", "--cast", "users:orders:integer", cwd=project)
    assert result.code == 0, result.err
    assert loader_block(project, "northwind")["transformations"] == [
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
    project = copy_project(tmp_path)
    base = ["add-retailer", "northwind", "--dataset", "users:kevel_users:x_*.csv"]
    for flag, value, message in [
        ("--cast", "users:orders:number", "type 'number' is not one of string, integer, float, bool"),
        ("--rename", "users:mail", "expected NAME:FIELD=TO"),
        ("--map", "users:tier:1", "expected FROM=TO pairs"),
        ("--timestamp", "visits:signup:dd/MM/yyyy", "NAME one of the dataset names"),
    ]:
        result = run_cli(*base, flag, value, cwd=project)
        assert result.code == 2 and message in result.err and "Traceback" not in result.err, (flag, result.err)
    assert not (project / "models/staging/northwind").exists()


def test_add_retailer_asks_for_datasets_when_no_flag_gives_them(tmp_path):
    project = copy_project(tmp_path)
    answers = "orders\nkevel_orders_csv\n\nn\n"   # name, format, default location, no other dataset
    proc = subprocess.run([*CLI, "add-retailer", "askco"], cwd=project, input=answers, capture_output=True,
                          text=True, env={**os.environ, "DO_NOT_TRACK": "1"}, timeout=120)
    assert proc.returncode == 0, proc.stderr
    loader = loader_block(project, "askco")
    assert loader["format"] == "kevel_orders_csv" and loader["location"] == "drop/askco/askco_orders_*.csv"
    assert (project / "models/staging/askco/stg_askco__orders.sql").is_file()

    # a format fetched from an API asks for its settings, not for a location
    answers = "contacts\negoi_contacts\n321\n\nEGOI_API_KEY\nn\n"
    proc = subprocess.run([*CLI, "add-retailer", "askco3"], cwd=project, input=answers, capture_output=True,
                          text=True, env={**os.environ, "DO_NOT_TRACK": "1"}, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert loader_block(project, "askco3") == {"source": "egoi_contacts", "format": "egoi_contacts", "list_id": "321",
                                          "api_key_env": "EGOI_API_KEY"}

    # an unknown format is asked again, not accepted
    proc = subprocess.run([*CLI, "add-retailer", "askco2"], cwd=project, input="orders\nnope\nkevel_orders_csv\n\nn\n",
                          capture_output=True, text=True, env={**os.environ, "DO_NOT_TRACK": "1"}, timeout=120)
    assert proc.returncode == 0 and "is not one of" in proc.stdout + proc.stderr


def test_transformations_keep_the_command_line_order(tmp_path):
    """Spec 003 applies transformations one after the other: --copy before --rename copies the original field."""
    project = copy_project(tmp_path)
    for retailer, flags, expected in [
        ("copyfirst", ["--copy", "users:a=x", "--rename", "users:a=y"],
         [{"copy": "a", "to": "x"}, {"rename": "a", "to": "y"}]),
        ("renamefirst", ["--rename", "users:a=y", "--copy", "users:y=x", "--map", "users:x:1=one", "--delete", "users:y"],
         [{"rename": "a", "to": "y"}, {"copy": "y", "to": "x", "values": [{"from": "1", "to": "one"}]},
          {"delete": "y"}]),
    ]:
        result = run_cli("add-retailer", retailer, "--dataset", "users:kevel_users:x_*.csv", *flags, cwd=project)
        assert result.code == 0, result.err
        assert loader_block(project, retailer)["transformations"] == expected, retailer
