"""Onboarding a retailer whose file needs field transformations: one
add-retailer command plus a file drop, then `retail-imports run` builds the
whole project (the README's "Add a retailer" steps, in a copy of the project).

The retailer delivers Kevel orders with the line status in a field `state`
holding codes (1, 2, 3) and createdAt as `21/01/2021 14:25` (Paris time).
"""

from __future__ import annotations

import csv
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ProjectCopy

pytestmark = pytest.mark.dbt

HEADER = ["orderId", "userIdType", "userId", "currency", "total", "subtotal", "tax", "shipping", "discount",
          "refund", "createdAt", "lineItem_productId", "lineItem_sku", "lineItem_currency", "lineItem_total",
          "lineItem_subtotal", "lineItem_tax", "lineItem_shipping", "lineItem_discount", "lineItem_refund",
          "lineItem_quantity", "state"]
BASE = {"userIdType": "crm_id", "currency": "EUR", "total": "60.00", "subtotal": "50.00", "tax": "8.00",
        "shipping": "2.00", "discount": "0", "refund": "0", "lineItem_productId": "p1", "lineItem_sku": "p1-M",
        "lineItem_currency": "EUR", "lineItem_total": "60.00", "lineItem_subtotal": "50.00", "lineItem_tax": "8.00",
        "lineItem_shipping": "2.00", "lineItem_discount": "0", "lineItem_refund": "0", "lineItem_quantity": "1"}
ROWS = [  # line 2 onwards
    {"orderId": "N1", "userId": "c-1", "createdAt": "21/01/2021 14:25", "state": "1"},
    {"orderId": "N2", "userId": "c-2", "createdAt": "01/07/2021 09:05", "state": "2"},
    {"orderId": "N3", "userId": "c-3", "createdAt": "02/07/2021 10:00", "state": "9"},           # not in the map
    {"orderId": "N4", "userId": "c-4", "createdAt": "2021-07-03T10:00:00Z", "state": "3"},       # not the pattern
]
COMMAND = ["add-retailer", "northwind",
           "--dataset", "orders:kevel_orders_csv:drop/northwind/northwind_orders_*.csv",
           "--option", "orders:timezone=Europe/Paris",
           "--rename", "orders:state=lineItem_status",
           "--map", "orders:lineItem_status:1=placed,2=paid,3=fulfilled",
           "--timestamp", "orders:createdAt:dd/MM/yyyy HH:mm"]


@pytest.fixture(scope="module")
def onboarded(tmp_path_factory):
    project = ProjectCopy(tmp_path_factory.mktemp("onboarding") / "project")
    added = project.cli(*COMMAND)
    assert added.code == 0, added.err
    drop = project.root / "drop" / "northwind" / "northwind_orders_2021-07-04.csv"
    drop.parent.mkdir(parents=True, exist_ok=True)
    with open(drop, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        for row in ROWS:
            writer.writerow([{**BASE, **row}.get(c, "") for c in HEADER])
    _southwind_users(project)
    return project, project.cli("run")


def _southwind_users(project: ProjectCopy) -> None:
    """A CRM users JSON lines feed whose fields are renamed, copied, added, deleted, mapped and cast; the
    number-vs-text mappings are written in the YAML (the command line's --map values are text)."""
    added = project.cli("add-retailer", "southwind", "--dataset", "users:kevel_users:drop/southwind/users_*.jsonl",
                        "--rename", "users:id=userId", "--copy", "users:tier=tier_label", "--new", "users:region=north",
                        "--delete", "users:legacy", "--cast", "users:score:integer")
    assert added.code == 0, added.err
    path = project.root / "models/staging/southwind/_southwind__sources.yml"
    doc = yaml.safe_load(path.read_text())
    loader = doc["sources"][0]["tables"][0]["config"]["meta"]["loader"]
    loader["defaults"] = {"user_id_type": "crm_id"}
    steps = loader["transformations"]
    next(s for s in steps if s.get("copy") == "tier")["values"] = [{"from": 1, "to": "gold"}, {"from": "2", "to": "silver"}]
    steps.append({"rename": "tier_text", "to": "tier_text", "values": [{"from": 1, "to": "gold"}]})
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    drop = project.root / "drop" / "southwind" / "users_2021-07-04.jsonl"
    drop.parent.mkdir(parents=True, exist_ok=True)
    drop.write_text(
        '{"id": "u1", "tier": 1, "tier_text": "1", "score": "2.4", "legacy": "x", "vip": true}\n'
        '{"id": "u2", "tier": 2, "tier_text": "2", "score": "car", "legacy": "y", "vip": false}\n')


def _readme_commands() -> list[list[str]]:
    """The retail-imports commands of README "Add a retailer", as argument lists."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("## Add a retailer\n")[1].split("\n### ")[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, re.S)
    return [shlex.split(b.replace("\\\n", " "))[1:] for b in blocks]


def test_readme_steps_are_the_commands_this_test_runs(onboarded):
    project, _ = onboarded
    discover, add = _readme_commands()
    assert add == COMMAND
    # step 1 on the dropped file proposes the format, the location and the timestamp pattern
    sample = project.root / "drop" / "northwind" / "northwind_orders_2021-07-04.csv"
    found = project.cli("discover", str(sample), *discover[2:])
    assert found.code == 0, found.err
    assert "closest format: kevel_orders_csv" in found.out
    assert "required fields the file lacks: lineItem_status" in found.out
    proposed = shlex.split(found.out.split("proposed:")[1])[1:]
    assert proposed == COMMAND[:4] + ["--timestamp", "orders:createdAt:dd/MM/yyyy HH:mm"]


def test_one_command_and_a_file_drop_build(onboarded):
    project, result = onboarded
    assert result.code == 0, (result.out + result.err)[-4000:]
    assert "ERROR=0" in result.out + result.err
    loader = (project.root / "models/staging/northwind/_northwind__sources.yml").read_text()
    assert "transformations:" in loader and "dd/MM/yyyy HH:mm" in loader


def test_status_codes_are_mapped_and_unmatched_values_kept_and_flagged(onboarded):
    project, _ = onboarded
    rows = dict(project.query(
        "select order_id, line_item_status from main.stg_northwind__orders order by _line_number"))
    assert rows == {"N1": "placed", "N2": "paid", "N3": "9", "N4": "fulfilled"}
    reason = project.query("select _rejection_reason from main.stg_northwind__orders where order_id = 'N3'")[0][0]
    assert "not one of placed, paid" in reason


def test_custom_timestamps_become_utc_and_other_forms_are_flagged_by_row_and_field(onboarded):
    project, _ = onboarded
    times = dict(project.query(
        "select order_id, strftime(ordered_at, '%Y-%m-%d %H:%M') from main.stg_northwind__orders"))
    # Paris is UTC+1 in January, UTC+2 in July
    assert times["N1"] == "2021-01-21 13:25" and times["N2"] == "2021-07-01 07:05"
    assert times["N4"] is None
    reason = project.query("select _rejection_reason from main.stg_northwind__orders where order_id = 'N4'")[0][0]
    assert "row 5, field createdAt: 2021-07-03T10:00:00Z does not match the timestamp pattern dd/MM/yyyy HH:mm" \
        in reason
    # the good orders reach the marts, the one without a valid time does not
    orders = {r[0] for r in project.query("select order_id from main.fct_orders where retailer = 'northwind'")}
    assert {"N1", "N2"} <= orders and "N4" not in orders


def test_scaffolded_retailer_lints_clean_and_docs_generate(onboarded):
    project, _ = onboarded
    env = {**os.environ, "DO_NOT_TRACK": "1", **project.env}
    for name in (".sqlfluff", ".sqlfluffignore"):
        src = Path(__file__).resolve().parents[2] / name
        if src.exists():
            (project.root / name).write_text(src.read_text())
    config = project.root / "lint.cfg"
    config.write_text(f"[sqlfluff:templater:dbt]\nprofiles_dir = {project.root / 'profiles'}\n")
    sqlfluff = Path(sys.executable).with_name("sqlfluff")
    lint = subprocess.run([str(sqlfluff), "lint", "models/staging/northwind", "--config", str(config),
                           "--disable-progress-bar"], cwd=project.root, env=env, capture_output=True, text=True,
                          timeout=600)
    assert lint.returncode == 0, lint.stdout[-3000:] + lint.stderr[-2000:]
    dbt = Path(sys.executable).with_name("dbt")
    docs = subprocess.run([str(dbt), "docs", "generate"], cwd=project.root, env=env, capture_output=True,
                          text=True, timeout=600)
    assert docs.returncode == 0, docs.stdout[-3000:]
    assert "stg_northwind__orders" in (project.root / "target" / "manifest.json").read_text()


def test_json_lines_transformations_keep_text_and_numbers_apart(onboarded):
    project, _ = onboarded
    rows = {r[0]: (json.loads(r[1]), r[2]) for r in project.query(
        "select user_id, attributes, _rejection_reason from main.stg_southwind__users")}
    # tier 1 is a number: the number mapping 1 -> gold applies; tier 2 is a number too, so the
    # text mapping "2" -> silver does not, and the value is unaltered, a number still; "1" (text) is
    # not the number 1
    assert rows["u1"][0] == {"tier": 1, "tier_label": "gold", "tier_text": "1", "score": 2, "region": "north",
                             "vip": True}
    assert rows["u2"][0] == {"tier": 2, "tier_label": 2, "tier_text": "2", "score": None, "region": "north",
                             "vip": False}
    assert rows["u1"][1] is None
    line = project.query("select _line_number from main.stg_southwind__users where user_id = 'u2'")[0][0]
    assert f"row {line}, field score: car cannot be cast to integer" in rows["u2"][1]
