"""No plaintext personal data anywhere: the whole warehouse, the reports, the logs and dbt's catalog.

One project copy, built once: the demo retailers (Kevel user ids that are
e-mails, CRM users keyed by e-mail with a first name), the real Shopify
export (e-mails, phones, names, addresses), `lumen`, a visits / orders
retailer whose CRM ids are e-mail addresses (the demo's acme files with each
CRM id replaced by an e-mail), and `keepco`, the same Shopify export from a
source that keeps personal data (`pii: keep`). The personal values are read
from the delivered files here, and the test first checks the files hold
them, so the scan can fail.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REALDATA, ProjectCopy, run_cli

pytestmark = pytest.mark.dbt

FOREZIA = REALDATA / "shopify-devstore-forezia" / "orders_export.csv"
SHOPIFY_PERSONAL = {
    "email": ["Email"],
    "phone": ["Phone", "Billing Phone", "Shipping Phone"],
    "name": ["Billing Name", "Shipping Name", "Billing Company", "Shipping Company", "Employee"],
    "address": ["Billing Street", "Billing Address1", "Billing Address2", "Billing Zip", "Shipping Street",
                "Shipping Address1", "Shipping Address2", "Shipping Zip"],
}
EMAIL = re.compile(r"[^\s,;\"'<>@]+@[^\s,;\"'<>@]+\.[A-Za-z]{2,}")


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def lumen_email(crm_id: str) -> str:
    """acme's CRM id as lumen's login e-mail, written as shops do: mixed case, stray spaces."""
    number = crm_id.removeprefix("crm-")
    return f"  User{number}@Lumen.Example " if int(number) % 2 else f"user{number}@lumen.example"


def _as_lumen(source: Path, target: Path) -> None:
    """A demo acme file with every CRM id replaced by an e-mail; other lines (the damaged row) as they are."""
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    header = next(csv.reader([lines[0]]))
    out = [lines[0]]
    for line in lines[1:]:
        row = next(csv.reader([line]))
        if len(row) == len(header) and row[header.index("crm_id")]:
            row[header.index("crm_id")] = lumen_email(row[header.index("crm_id")])
            buffer = []
            csv.writer(_Into(buffer), lineterminator="\n").writerow(row)
            line = "".join(buffer)
        out.append(line)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("".join(out), encoding="utf-8")


class _Into:
    def __init__(self, parts: list):
        self.write = parts.append


def _personal_values(data: Path) -> dict[str, set[str]]:
    """Every personal value the delivered files hold, by kind, read with Python's csv and json."""
    found: dict[str, set[str]] = {"email": set(), "phone": set(), "name": set(), "address": set()}
    with open(FOREZIA, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            for kind, columns in SHOPIFY_PERSONAL.items():
                found[kind] |= {row[c].strip() for c in columns if row[c].strip()}
    for path in (data / "kestrel").rglob("*.csv"):
        with open(path, encoding="utf-8", newline="") as handle:
            found["email"] |= {r["userId"].strip() for r in csv.DictReader(handle) if r["userIdType"] == "email"}
    for path in (data / "bazaar" / "crm").iterdir():
        records = (list(csv.DictReader(open(path, encoding="utf-8"))) if path.suffix == ".csv"
                   else [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()])
        found["email"] |= {r["email"].strip() for r in records}
        found["name"] |= {r["first_name"] for r in records if r.get("first_name")}
    for path in (data / "bazaar" / "store").iterdir():   # the cashiers, the third transaction attribute
        found["name"] |= {n.strip() for r in csv.reader(open(path, encoding="utf-8"), delimiter=";") if len(r) > 24
                          for n in r[24].split(";") if r[24] != "Cashier"}
    for path in (data / "lumen").rglob("*.csv"):
        text = path.read_text(encoding="utf-8")
        found["email"] |= set(EMAIL.findall(text))   # CRM ids, and the e-mail in the damaged row
    return found


def _re2(values) -> str:
    """An RE2 alternation matching any of the values literally."""
    return "|".join(re.sub(r"([.^$*+?()\[\]{}|\\])", r"\\\1", v) for v in sorted(values, key=len, reverse=True))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    project = ProjectCopy(tmp_path_factory.mktemp("privacy") / "project")
    generated = project.root / "generated"
    assert run_cli("demo-data", "--out", str(generated), "--days", "3", cwd=project.root).code == 0
    held_back = {}   # the third day of acme and lumen: lumen's is landed by the dry run only
    for path in (p for p in generated.rglob("*") if p.is_file()):
        relative = path.relative_to(generated)
        targets = [project.data / relative]
        targets[0].parent.mkdir(parents=True, exist_ok=True)
        targets[0].write_bytes(path.read_bytes())
        if relative.parts[0] == "acme":
            targets.append(project.data / "lumen" / relative.parts[1] / path.name.replace("acme_", "lumen_"))
            _as_lumen(path, targets[-1])
        if relative.parts[0] == "acme" and "20240603" in path.name:
            for target in targets:
                held_back[target] = target.read_bytes()
                target.unlink()

    result = project.cli("add-retailer", "lumen",
                         "--dataset", f"visits:symbiosys_visits_csv:{project.data}/lumen/visits/lumen_visits_*.csv",
                         "--dataset", f"orders:symbiosys_orders_csv:{project.data}/lumen/orders/lumen_orders_*.csv")
    assert result.code == 0, result.err
    project.add_retailer("forezia", "orders", "shopify_orders_csv", FOREZIA)
    project.add_retailer("keepco", "orders", "shopify_orders_csv", FOREZIA, pii="keep")

    imported = project.cli("import", "--report-dir", str(project.root / "reports"))
    status = project.cli("status", "--rejects")
    for path, content in held_back.items():
        if "lumen" in path.parts:
            path.write_bytes(content)
    dry = project.cli("dry-run", "lumen", "--report-dir", str(project.root / "reports"))
    check = project.cli("check-personal-data")
    env = {**os.environ, "DO_NOT_TRACK": "1", **project.env}
    docs = subprocess.run([str(Path(sys.executable).with_name("dbt")), "docs", "generate"], cwd=project.root,
                          env=env, capture_output=True, text=True, timeout=900)
    return {"project": project, "imported": imported, "status": status, "dry": dry, "docs": docs, "check": check,
            "personal": _personal_values(project.data), "outputs": [imported, status, dry, check]}


def test_the_delivered_files_hold_personal_data_of_every_kind(built):
    personal = built["personal"]
    assert len(personal["email"]) > 60 and len(personal["phone"]) >= 3
    assert len(personal["name"]) > 8 and len(personal["address"]) > 4
    assert {"Ayumu Hirano", "+16135550127", "151 O'Connor St"} <= personal["name"] | personal["phone"] | \
        personal["address"]
    lumen = next((built["project"].data / "lumen" / "visits").glob("*.csv")).read_text()
    assert ",  User" in lumen and "@Lumen.Example ," in lumen   # mixed case and surrounding spaces


def test_the_import_and_the_dry_run_ran(built):
    report = json.loads(sorted((built["project"].root / "reports").glob("*-import.json"))[0].read_text())
    assert report["status"] == "completed" and report["build_ok"], built["imported"].err[-3000:]
    dry = json.loads(sorted((built["project"].root / "reports").glob("*-dry-run.json"))[0].read_text())
    assert dry["status"] == "completed", built["dry"].err[-3000:]
    assert [f["status"] for f in dry["files"] if "20240603" in f["file"]] == ["landed", "landed"]
    assert dry["samples"] and built["docs"].returncode == 0, built["docs"].stdout[-3000:]


def _warehouse_hits(project, pattern: str) -> dict[str, int]:
    """Rows of every table and view, in every schema, with a text column matching pattern."""
    columns: dict[str, list[str]] = {}
    for schema, table, column in project.query(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where table_catalog = current_database() order by table_schema, table_name, ordinal_position"):
        columns.setdefault(f'"{schema}"."{table}"', []).append(f'cast("{column}" as varchar)')
    hits = {}
    for relation, casts in columns.items():
        [(count,)] = project.query(
            f"select count(*) from {relation} where regexp_matches(concat_ws(chr(1), {', '.join(casts)}), ?)",
            [pattern])
        if count:
            hits[relation.replace('"', "")] = count
    return hits


def test_no_table_or_view_holds_plaintext_except_the_source_that_keeps_it(built):
    project, personal = built["project"], built["personal"]
    relations = {r[0] for r in project.query(
        "select table_schema || '.' || table_name from information_schema.tables "
        "where table_catalog = current_database()")}
    assert {"raw_forezia.orders", "raw_lumen.visits", "loader.rejects", "main.fct_page_views",
            "main.dim_visitor_identities", "main.dim_users"} <= relations
    assert {"main.snp_orders", "main.snp_order_line_items"} <= relations
    emails = "(?i)(" + _re2(v.strip().lower() for v in personal["email"]) + ")"
    others = r"(?:^|\W)(" + _re2(personal["phone"] | personal["name"] | personal["address"]) + r")(?:\W|$)"
    assert _warehouse_hits(project, emails).keys() == {"raw_keepco.orders"}
    assert _warehouse_hits(project, others).keys() == {"raw_keepco.orders"}
    # and nothing that looks like an e-mail at all, whatever the files held
    assert _warehouse_hits(project, EMAIL.pattern).keys() == {"raw_keepco.orders"}
    # the check a user runs says the same
    check = built["check"]
    assert check.code == 0, check.out + check.err
    assert {line.split()[1] for line in check.out.splitlines() if line.startswith("│")} == {"raw_keepco.orders"}


def _texts(built) -> dict[str, str]:
    root = built["project"].root
    files = [*(root / "reports").iterdir(), *(root / "logs").rglob("*"), root / "target" / "catalog.json"]
    texts = {str(p.relative_to(root)): p.read_text(encoding="utf-8", errors="replace") for p in files if p.is_file()}
    for number, result in enumerate(built["outputs"]):
        texts[f"output {number}"] = result.out + result.err
    return texts


def test_no_report_log_output_or_catalog_shows_plaintext(built):
    personal = built["personal"]
    texts = _texts(built)
    assert any(name.endswith(".html") for name in texts) and "target/catalog.json" in texts
    assert any(name.startswith("logs/") for name in texts)
    # first names are too short to look for in free text (the logs hold dbt's unit-test fixtures)
    values = {v.strip().lower() for v in personal["email"]} | personal["phone"] | personal["address"] | \
        {n for n in personal["name"] if " " in n}
    pattern = re.compile("|".join(re.escape(v) for v in sorted(values, key=len, reverse=True)), re.I)
    found = {name: sorted(set(pattern.findall(text)))[:5] for name, text in texts.items() if pattern.search(text)}
    assert found == {}
    reported = "".join(t for n, t in texts.items() if n.startswith("reports/") and n.endswith(".json"))
    assert "<e-mail>" in reported or "<name>" in reported   # keepco's sample: shown masked


def test_hashes_follow_the_vendors_rule_on_the_delivered_values(built):
    project = built["project"]
    # Kevel user ids of type email ("  Customer26@Kestrel.example ")
    ids = {}
    for path in (project.data / "kestrel").rglob("*.csv"):
        with open(path, encoding="utf-8", newline="") as handle:
            ids |= {r["orderId"]: r["userId"] for r in csv.DictReader(handle) if r["userIdType"] == "email"}
    got = dict(project.query("select order_id, user_id from fct_orders where retailer = 'kestrel' "
                             "and user_id_type = 'email_sha256'"))
    assert got and got == {order: sha(user.strip().lower()) for order, user in ids.items()}
    # CRM users keyed by e-mail (" ANA@BAZAAR-MAIL.EXAMPLE "), first names dropped
    users = project.query("select user_id_type, user_id, attributes from dim_users where retailer = 'bazaar'")
    emails = {e.strip().lower() for e in built["personal"]["email"] if "bazaar" in e.lower()}
    assert {(t, u) for t, u, _ in users} == {("email_sha256", sha(e)) for e in emails}
    assert all("first_name" not in json.loads(a) for _, _, a in users)
    # lumen's CRM ids: acme's, as e-mails
    crm = {r[0] for r in project.query("select distinct crm_id from fct_page_views where retailer = 'lumen' "
                                      "and crm_id is not null")}
    acme = {r[0] for r in project.query("select distinct crm_id from fct_page_views where retailer = 'acme' "
                                       "and crm_id is not null")}
    assert len(crm) > 20 and crm == {sha(lumen_email(c).strip().lower()) for c in acme}


def test_stitching_and_attribution_on_hashed_ids_are_those_of_the_plain_ids(built):
    """lumen is acme with e-mails for CRM ids: once ids are mapped, identities and attribution are equal."""
    project = built["project"]

    def hashed(crm_id):
        return sha(lumen_email(crm_id).strip().lower()) if crm_id else crm_id

    identities = ("visitor_id, crm_id, period_number, observations, crm_ids_of_visitor, is_shared_visitor_id, "
                  "valid_after, valid_until, first_seen_at, last_seen_at")
    acme = project.query(f"select {identities} from dim_visitor_identities where retailer = 'acme'")
    lumen = project.query(f"select {identities} from dim_visitor_identities where retailer = 'lumen'")
    assert len(lumen) > 20 and sorted(lumen, key=str) == sorted(((v, hashed(c), *rest) for v, c, *rest in acme),
                                                                 key=str)
    attribution = ("order_id, visitor_id, crm_id, user_crm_id, first_touch_channel, first_touch_utm_campaign, "
                   "last_touch_channel, last_touch_utm_campaign, attribution_status, revenue, visits_in_lookback, "
                   "ordered_at, first_touch_at, last_touch_at")
    acme = project.query(f"select {attribution} from fct_order_attribution where retailer = 'acme'")
    lumen = project.query(f"select {attribution} from fct_order_attribution where retailer = 'lumen'")
    assert len(lumen) > 10 and any(r[3] for r in lumen) and any(r[8] != "unattributed" for r in lumen)
    assert sorted(lumen, key=str) == sorted(((o, v, hashed(c), hashed(u), *rest) for o, v, c, u, *rest in acme),
                                            key=str)


def test_the_source_that_keeps_personal_data_keeps_it_and_says_so(built):
    project = built["project"]
    assert "personal data kept: keepco.orders sets pii: keep" in built["imported"].err
    assert project.query('select count(*) from raw_keepco.orders where "Billing Name" = \'Ayumu Hirano\'')[0][0]
    assert not project.query('select count(*) from raw_forezia.orders where "Billing Name" is not null')[0][0]
    report = json.loads(sorted((project.root / "reports").glob("*-import.json"))[0].read_text())
    assert report["personal_data_kept"] == ["keepco.orders"]
    html = sorted((project.root / "reports").glob("*-import.html"))[0].read_text()
    assert 'id="personal-data-kept"' in html and "keepco.orders" in html
