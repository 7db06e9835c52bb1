"""An E-goi list imported through `add-retailer` + `run` (real dbt build), then changed: dry run and import.

A copy of the project gets retailer `shop` with two users sources: E-goi list
321 (source egoi_contacts, served by the local E-goi API in pages of two) and
a CRM file keyed by e-mail hash. The marts must hold exactly the users and
attributes the spec's mapping gives for the served contacts (computed here,
egoi_api.expected_record), merged with the CRM attributes of the same
e-mails; the contact id and e-mail hash of each contact linked; and neither
the API key nor any plain personal value anywhere: warehouse, logs,
reports, dbt artifacts.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from conftest import ProjectCopy
from egoi_api import API_KEY, ACCOUNT_ID, LIST_ID, EgoiApi, email_sha256, expected_record, personal_strings, \
    sample_contacts, warehouse_text

pytestmark = pytest.mark.dbt

CRM = [  # hashed e-mails of two E-goi contacts, and of one user E-goi does not know
    {"email": "ana.sousa@example.pt", "tier": "gold", "orders": 3},
    {"email": "maria@example.com", "tier": "silver", "orders": 1},
    {"email": "someone@else.org", "tier": "bronze", "orders": 0},
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    root = tmp_path_factory.mktemp("egoi")
    api = EgoiApi(root / "api")
    project = ProjectCopy(root / "project")
    project.env["EGOI_TEST_KEY"] = API_KEY
    crm = project.data / "crm" / "shop_users_1.jsonl"
    crm.parent.mkdir(parents=True)
    crm.write_text("".join(json.dumps({"userId": email_sha256(r["email"]), "tier": r["tier"], "orders": r["orders"]})
                           + "\n" for r in CRM), encoding="utf-8")
    result = project.cli(
        "add-retailer", "shop", "--dataset", "contacts:egoi_contacts",
        "--option", f"contacts:list_id={LIST_ID}", "--option", "contacts:api_key_env=EGOI_TEST_KEY",
        "--option", f"contacts:base_url={api.url}", "--option", "contacts:page_size=2",
        "--dataset", f"crm:kevel_users:{project.data}/crm/shop_users_*.jsonl")
    assert result.code == 0, result.err
    assert "next: make the API key of contacts available" in result.err
    sources = project.root / "models" / "staging" / "shop" / "_shop__sources.yml"
    doc = yaml.safe_load(sources.read_text())
    tables = {t["name"]: t for t in doc["sources"][0]["tables"]}
    assert tables["contacts"]["config"]["meta"]["loader"] == {
        "source": "egoi_contacts", "format": "egoi_contacts", "list_id": LIST_ID,
        "api_key_env": "EGOI_TEST_KEY", "base_url": api.url, "page_size": "2"}
    assert "freshness" not in tables["contacts"]["config"]
    tables["crm"]["config"]["meta"]["loader"].update(defaults={"user_id_type": "email_sha256"})
    sources.write_text(yaml.safe_dump(doc, sort_keys=False))
    yield project, api
    api.stop()


def expected_users(contacts: list[dict]) -> dict[tuple[str, str], dict]:
    """(id type, id) -> attributes: each contact under its contact id and its e-mail hash, CRM users merged."""
    users: dict[tuple[str, str], dict] = {}
    for row in CRM:
        users[("email_sha256", email_sha256(row["email"]))] = {"tier": row["tier"], "orders": row["orders"]}
    for c in contacts:
        record = expected_record(c)
        users[("egoi_contact_id", record["contact_id"])] = dict(record["attributes"])
        if record["email_sha256"]:
            users.setdefault(("email_sha256", record["email_sha256"]), {}).update(record["attributes"])
    return users


def dim_users(project: ProjectCopy) -> dict[tuple[str, str], dict]:
    return {(t, i): json.loads(a) for t, i, a in project.query(
        "select user_id_type, user_id, attributes from main.dim_users where retailer = 'shop'")}


def links(project: ProjectCopy) -> set[tuple[str, str]]:
    return set(project.query("select user_id, linked_user_id from main.dim_user_id_links where retailer = 'shop' "
                             "and user_id_type = 'egoi_contact_id' and linked_user_id_type = 'email_sha256'"))


def files_text(folder: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file()
                     and p.suffix in (".json", ".html", ".log", ".txt", ".sql", ".yml", ".jsonl"))


def test_an_egoi_list_through_add_retailer_run_dry_run_and_import_from_it(shop):
    project, api = shop
    served = sample_contacts()

    # -- first run: lands the list (4 pages of 2) and the CRM file, builds -----------------------------------
    result = project.cli("run")
    assert result.code == 0, result.err[-3000:]
    assert API_KEY not in result.out + result.err
    assert dim_users(project) == expected_users(served)
    assert links(project) == {(expected_record(c)["contact_id"], expected_record(c)["email_sha256"])
                              for c in served if c["base"]["email"]}
    status = project.cli("status", "--files")
    assert f"E-goi account {ACCOUNT_ID}, list {LIST_ID}: 4 pages, 7 contacts" in status.out

    # -- the list changes: Ana unsubscribed, Pedro has a new e-mail -----------------------------------------
    changed = sample_contacts()
    changed[0]["base"]["status"] = "inactive"
    changed[6]["base"]["email"] = "pedro.novo@example.com"
    api.set(lists={LIST_ID: changed})
    before = dim_users(project)

    dry = project.cli("dry-run", "shop.contacts", "--report-dir", str(project.root / "reports"))
    assert dry.code == 0, dry.err[-3000:]
    assert dim_users(project) == before                      # a dry run changes nothing
    report = json.loads(next((project.root / "reports").glob("*-dry-run.json")).read_text())
    delivery = f"egoi://account{ACCOUNT_ID}/list{LIST_ID}-contacts.jsonl"
    [entry] = report["files"]
    assert (entry["file"], entry["status"], entry["rows_read"], entry["valid"], entry["pages"]) == \
        (delivery, "landed", 7, 7, 4)
    assert entry["message"] == f"E-goi account {ACCOUNT_ID}, list {LIST_ID}: 4 pages, 7 contacts"
    overview = {m["model"]: m for m in report["overview"]}["dim_user_attributes"]
    prefix = f"egoi.account{ACCOUNT_ID}.list{LIST_ID}."
    # Ana's status under her two ids; Pedro's new e-mail hash is a new user with his three attributes
    assert (overview["added"], overview["updated"]) == (3, 2)
    assert report["configuration"]["sources"][0]["options"]["api_key_env"] == "EGOI_TEST_KEY"

    # clone and import: an API has no version of its answer, so the list is fetched again
    dry_report = next((project.root / "reports").glob("*-dry-run.json"))
    imported = project.cli("import", "--from-dry-run", str(dry_report), "--report-dir", str(project.root / "reports"))
    assert imported.code == 0, imported.err[-3000:]
    after = dim_users(project)
    expected = expected_users(changed)
    # merge: the old e-mail hash of Pedro keeps the attributes it had (the import does not hold it any more)
    old_pedro = ("email_sha256", email_sha256("pedro@example.com"))
    expected[old_pedro] = before[old_pedro]
    assert after == expected
    assert after[("email_sha256", email_sha256("ana.sousa@example.pt"))] == {
        "tier": "gold", "orders": 3, prefix + "status": "inactive", prefix + "consent": "consent",
        prefix + "emailStatus": "active", prefix + "cellphoneStatus": "active"}
    assert ("e4e4e4e4e4", email_sha256("pedro.novo@example.com")) in links(project)
    assert ("e4e4e4e4e4", email_sha256("pedro@example.com")) not in links(project)

    # -- nothing personal and no key anywhere ----------------------------------------------------------------
    everything = "\n".join([warehouse_text(project.warehouse), files_text(project.root / "reports"),
                            files_text(project.root / "logs"), files_text(project.root / "target"),
                            result.out, result.err, dry.out, dry.err, imported.out, imported.err])
    leaked = sorted(s for s in personal_strings(served + changed) | {API_KEY} if s in everything)
    assert not leaked
