"""Every user id type validates and normalises as documented, in every rule that reads the table.

The types live in one table (macros/rules/user_id_types.sql). The rules that
read it are run here on one delivered id per type (and a bad one where the
type has a pattern): the loader's hashing at landing (loaders/pii.py), the
order validation (user_id_matches_type) and the normalisation of order and
CRM ids (normalized_user_id / normalized_user_id_type, as staging and
int_user_ids call them). The expected answers are written out by hand from
the docs, and every declared type must have a row: a type added to the
table without saying here what it does fails.
"""

from __future__ import annotations

import hashlib

import duckdb
import pytest
from dbt_show import ROOT, dbt_show

from loaders.formats import read_declaration
from loaders.pii import Field, IdTypes, Policy


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


HEX64 = "7A616D7F5D2821531CC6277B522FA3F9B171BAA0701194821F8CC80780F46C30"
# delivered (type, id) -> order validation reason (None: valid), the id and type orders and CRM rows
# get (CRM without hash_email), and the id and type the loader lands
CASES = [
    ("email", " Ana@X.TLD ", None, (sha("ana@x.tld"), "email_sha256"), ("ana@x.tld", "email")),
    (" EMAIL ", "bo@x.tld", None, (sha("bo@x.tld"), "email_sha256"), ("bo@x.tld", "email")),
    ("email", HEX64, "userId: not a valid email", (HEX64.lower(), "email_sha256"), (HEX64.lower(), "email_sha256")),
    ("email", "ana at x", "userId: not a valid email", (sha("ana at x"), "email_sha256"), ("ana at x", "email")),
    ("email_sha256", f" {HEX64} ", None, (HEX64.lower(), "email_sha256"), (HEX64.lower(), "email_sha256")),
    ("email_sha256", "abc", "userId: not a valid email_sha256", ("abc", "email_sha256"), ("abc", "email_sha256")),
    ("email_md5", "0CC175B9C0F1B6A831C399E269772661", None,
     ("0cc175b9c0f1b6a831c399e269772661", "email_md5"), ("0cc175b9c0f1b6a831c399e269772661", "email_md5")),
    ("email_md5", HEX64, "userId: not a valid email_md5", (HEX64.lower(), "email_md5"), (HEX64.lower(), "email_md5")),
    ("email_sha1", "86F7E437FAA5A7FCE15D1DDCB9EAEAEA377667B8", None,
     ("86f7e437faa5a7fce15d1ddcb9eaeaea377667b8", "email_sha1"), ("86f7e437faa5a7fce15d1ddcb9eaeaea377667b8", "email_sha1")),
    ("email_sha1", "86f7e437", "userId: not a valid email_sha1", ("86f7e437", "email_sha1"), ("86f7e437", "email_sha1")),
    ("phone_sha256", HEX64, None, (HEX64.lower(), "phone_sha256"), (HEX64.lower(), "phone_sha256")),
    ("phone_sha256", "+33612345678", "userId: not a valid phone_sha256", ("+33612345678", "phone_sha256"),
     ("+33612345678", "phone_sha256")),
    ("crm_id", " CRM-7 ", None, ("CRM-7", "crm_id"), ("CRM-7", "crm_id")),
    ("visitor_id", "V-Abc", None, ("V-Abc", "visitor_id"), ("V-Abc", "visitor_id")),
    ("egoi_contact_id", "8F3A27EF26", None, ("8F3A27EF26", "egoi_contact_id"), ("8F3A27EF26", "egoi_contact_id")),
    ("loyalty_card", "LC-1", "userIdType: unknown type loyalty_card", ("LC-1", "loyalty_card"), ("LC-1", "loyalty_card")),
]


def test_every_declared_type_has_a_documented_case():
    declared = set(read_declaration(ROOT / "macros" / "rules" / "user_id_types.sql"))
    covered = {t.strip().lower() for t, *_ in CASES}
    assert declared <= covered, f"types without a case here: {sorted(declared - covered)}"
    # every type with a pattern is shown rejecting an id
    patterned = {name for name, d in read_declaration(ROOT / "macros" / "rules" / "user_id_types.sql").items()
                 if d.get("pattern")}
    assert patterned <= {t.strip().lower() for t, _, reason, *_ in CASES if reason}


def test_the_loader_hashes_by_the_same_table():
    types = IdTypes.read(ROOT)
    assert types.hashed == {"email": "email_sha256"}
    policy = Policy(fields=(Field("userId", "email", ids=True, type_field="userIdType"),), types=types)
    value_sql, type_sql = policy.columns_sql(["userIdType", "userId"], lambda i: ("t", "v")[i])[::-1]
    con = duckdb.connect()
    rows = [(t, v) for t, v, *_ in CASES]
    landed = con.execute(f"select {value_sql}, {type_sql} from (select unnest(?) as t, unnest(?) as v)",
                         [[t for t, _ in rows], [v for _, v in rows]]).fetchall()
    for (t, v, reason, *_), (land_id, land_type) in zip(CASES, landed):
        if t.strip().lower() == "email" and reason is None:
            # a valid e-mail never lands in plaintext: hashed and retyped as the table says
            assert (land_id, land_type) == (sha(v.strip().lower()), "email_sha256"), (t, v)
        elif t.strip().lower() == "email":
            # an e-mail row whose id is neither an e-mail nor a hash is masked; a hash is kept
            assert land_id in (v, "<invalid e-mail>"), (t, v, land_id)
        else:
            assert (land_id, land_type) == (v, t), (t, v)


@pytest.fixture(scope="module")
def rules(tmp_path_factory) -> list[dict]:
    """The dbt rules on every case, through `dbt show` against a throw-away DuckDB file."""
    tmp = tmp_path_factory.mktemp("user-id-types")
    values = ", ".join(f"({i}, '{t}', '{v}')" for i, (t, v, *_) in enumerate(CASES))
    sql = f"""
        select
            n,
            {{{{ user_id_matches_type('v', 't', 'userId', 'userIdType') }}}} as reason,
            {{{{ normalized_user_id('v', 't') }}}} as order_id,
            {{{{ normalized_user_id_type('t') }}}} as order_type,
            {{{{ normalized_user_id('v', 't', 'hash_email') }}}} as crm_id,
            {{{{ normalized_user_id_type('t', 'v', 'hash_email') }}}} as crm_type,
            {{{{ normalized_user_id('v', 't', 'not hash_email') }}}} as crm_hashed_id,
            {{{{ normalized_user_id_type('t', 'v', 'not hash_email') }}}} as crm_hashed_type
        from (select *, false as hash_email from (values {values}) as cases (n, t, v)) as cases
        order by n
    """
    return dbt_show(sql, tmp)


@pytest.mark.dbt
def test_orders_validate_every_type_as_documented(rules):
    for (t, v, reason, *_), row in zip(CASES, rules):
        if reason is None:
            assert row["reason"] is None, (t, v, row["reason"])
        else:
            assert row["reason"] is not None and row["reason"].startswith(reason), (t, v, row["reason"])


@pytest.mark.dbt
def test_order_and_crm_ids_normalise_as_documented(rules):
    for (t, v, _, order, crm), row in zip(CASES, rules):
        assert (row["order_id"], row["order_type"]) == order, (t, v)
        assert (row["crm_id"], row["crm_type"]) == crm, (t, v)
        # a CRM source that sets hash_email gets what orders get
        assert (row["crm_hashed_id"], row["crm_hashed_type"]) == order, (t, v)
