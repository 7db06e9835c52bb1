"""Personal data at landing: hashed, dropped or masked before anything is stored (README "Personal data").

Expected hashes are computed here with hashlib from the vendor's rule (spec
003: trim, lower-case, SHA-256), never with the loader's code.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil

import duckdb
import pytest

from loaders import demo_orders
from loaders.pii import mask_text

FOREZIA = "shopify-devstore-forezia/orders_export.csv"
SHOPIFY_REQUIRED = ["Name", "Currency", "Financial Status", "Created at", "Lineitem quantity", "Lineitem name",
                    "Lineitem fulfillment status"]
SHOPIFY_ROW = {"Currency": "EUR", "Financial Status": "paid", "Created at": "2025-05-11 09:55:16 -0400",
               "Lineitem quantity": "1", "Lineitem name": "Ski Wax", "Lineitem fulfillment status": "fulfilled"}
# The required fields these trimmed exports omit, declared so (optional_columns): landing is what is tested here
SHOPIFY_OMITS = {"optional_columns": json.dumps(["Id", "Total", "Subtotal", "Taxes", "Shipping", "Refunded Amount",
                                                 "Discount Amount", "Lineitem price", "Lineitem discount",
                                                 "Lineitem sku"])}


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def email_hash(value: str) -> str:
    return sha(value.strip(" ").lower())   # DuckDB's trim, like staging's, strips spaces


def _csv(rows: list[dict], header: list[str]) -> str:
    out = [",".join(header)]
    for row in rows:
        out.append(",".join(_quoted(row.get(c, "")) for c in header))
    return "\n".join(out) + "\n"


def _quoted(value: str) -> str:
    return f'"{value}"' if any(ch in value for ch in ',"\n') else value


def _shopify(mini, name: str, rows: list[dict], extra: dict | None = None, retailer: str = "shop") -> None:
    header = [*SHOPIFY_REQUIRED, "Email", "Phone", "Billing Name", "Billing Address1", "Billing City"]
    mini.declare(retailer, {"orders": ("shopify_orders_csv", f"{retailer}/*.csv")}, extra={**SHOPIFY_OMITS, **(extra or {})})
    mini.write(f"{retailer}/{name}", _csv([{**SHOPIFY_ROW, **r} for r in rows], header))


def test_a_real_shopify_export_lands_with_e_mails_and_phones_hashed_and_names_and_addresses_dropped(mini, realdata):
    mini.declare("shop", {"orders": ("shopify_orders_csv", "*.csv")})
    shutil.copy(realdata / FOREZIA, mini.data / "orders_export.csv")
    with open(realdata / FOREZIA, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
        header = list(rows[0])
    # the delivered file does hold personal data: this test can fail
    assert sum(bool(r["Email"]) for r in rows) > 10 and sum(bool(r["Billing Name"]) for r in rows) > 5
    assert sum(bool(r["Phone"]) for r in rows) > 10 and sum(bool(r["Shipping Address1"]) for r in rows) > 3

    assert mini.cli("land").code == 0
    columns = [r[0] for r in mini.query(
        "select column_name from information_schema.columns where table_schema = 'raw_shop' "
        "and table_name = 'orders' and not starts_with(column_name, '_') order by ordinal_position")]
    assert sorted(columns) == sorted(header)   # dropped columns stay: the table's shape follows the export
    landed = mini.query('select "Email", "Phone", "Billing Phone", "Billing Name", "Shipping Address1", '
                        '"Billing Zip", "Billing Company", "Employee", "Billing City", "Payment Reference" '
                        "from raw_shop.orders order by _line_number")
    assert len(landed) == len(rows)
    for row, got in zip(rows, landed):
        # (an empty field lands null)
        assert got[0] == (email_hash(row["Email"]) if row["Email"] else None)
        assert got[1] == (sha(row["Phone"]) if row["Phone"] else None)          # +16135550127: E.164 already
        assert got[2] == (sha(row["Billing Phone"]) if row["Billing Phone"] else None)
        assert got[3:8] == (None,) * 5
        assert tuple(v or "" for v in got[8:]) == (row["Billing City"], row["Payment Reference"])   # not personal


def test_e_mail_ids_are_hashed_into_the_email_sha256_type_and_other_ids_kept(mini):
    header = demo_orders.COLUMNS
    rows = [
        {"orderId": "1", "userIdType": "email", "userId": "  Jane.Doe@Example.COM "},
        {"orderId": "2", "userIdType": "EMAIL", "userId": "bob@x.io"},
        {"orderId": "3", "userIdType": "email", "userId": "not-an-email"},       # staging rejects it
        {"orderId": "4", "userIdType": "crm_id", "userId": "crm-7"},
        {"orderId": "5", "userIdType": "crm_id", "userId": "Ann@X.io"},          # an id holding an e-mail
        {"orderId": "6", "userIdType": "email_sha256", "userId": sha("c@d.io")},
        {"orderId": "7", "userIdType": "", "userId": ""},
    ]
    mini.declare("shop", {"orders": ("kevel_orders_csv", "orders/*.csv")})
    mini.write("orders/orders.csv", _csv([dict(r, currency="EUR", createdAt="2024-06-01T10:00:00+0100",
                                               lineItem_status="paid") for r in rows], header))
    assert mini.cli("land").code == 0
    assert mini.query('select "orderId", "userIdType", "userId" from raw_shop.orders order by 1') == [
        ("1", "email_sha256", sha("jane.doe@example.com")),
        ("2", "email_sha256", sha("bob@x.io")),
        ("3", "email", "<invalid e-mail>"),
        ("4", "crm_id", "crm-7"),
        ("5", "crm_id", sha("ann@x.io")),
        ("6", "email_sha256", sha("c@d.io")),
        ("7", None, None),
    ]


def test_visit_crm_ids_that_are_e_mails_are_hashed(mini):
    header = ["event_time", "visitor_id", "crm_id", "url"]
    mini.declare("shop", {"visits": ("symbiosys_visits_csv", "*.csv")})
    mini.write("shop_visits_20240601.csv", _csv([
        {"event_time": "2024-06-01T10:00:00Z", "visitor_id": "v1", "crm_id": " Ana.Lima@Mail.Example ",
         "url": "https://s.example/"},
        {"event_time": "2024-06-01T10:01:00Z", "visitor_id": "v2", "crm_id": "crm-0042", "url": "https://s.example/"},
        {"event_time": "2024-06-01T10:02:00Z", "visitor_id": "v3", "crm_id": "", "url": "https://s.example/"},
    ], header))
    assert mini.cli("land").code == 0
    assert mini.query("select visitor_id, crm_id from raw_shop.visits order by 1") == [
        ("v1", sha("ana.lima@mail.example")), ("v2", "crm-0042"), ("v3", None),
    ]


@pytest.mark.parametrize("country_code, values, expected", [
    (None, ["+1 (613) 555-0114", "001 613 555 0114", "+16135550114 ext. 12"], "+16135550114"),
    (None, ["613.555.0114", "613-555-0114"], "6135550114"),                 # national, no country: digits
    ("33", ["06 12 34 56 78", "+33 6 12 34 56 78", "0033612345678", "06.12.34.56.78"], "+33612345678"),
    ("+1", ["(613) 555-0114", "+1 613 555 0114"], "+16135550114"),
])
def test_phones_are_hashed_in_e164_form(mini, country_code, values, expected):
    extra = {"phone_country_code": json.dumps(country_code)} if country_code else None
    _shopify(mini, "orders.csv", [{"Name": f"#{i}", "Phone": v} for i, v in enumerate(values)], extra)
    assert mini.cli("land").code == 0
    assert mini.query('select distinct "Phone" from raw_shop.orders') == [(sha(expected),)]


def test_json_lines_records_and_fields_a_source_declares(mini):
    mini.declare("shop", {"users": ("kevel_users", "*")}, extra={
        "columns": "{user_id: {source: mail}}",
        "transformations": "[{rename: e_mail, to: mail}]",     # the file's field is e_mail
        "pii": "{first_name: name, Mobile: phone}",
    })
    mini.write("users_1.jsonl", json.dumps({"e_mail": " Ana@X.TLD ", "first_name": "Ana", "mobile": "+33 6 12 34 56 78",
                                            "city": "Lyon", "orders": 3}) + "\n")
    mini.write("users_2.csv", "e_mail,first_name,mobile,city\nbo@x.tld,Bo,,Porto\n")
    assert mini.cli("land").code == 0
    rows = mini.query("select e_mail, first_name, mobile, city, _record from raw_shop.users order by _source_file")
    assert rows[0][:4] == (sha("ana@x.tld"), None, sha("+33612345678"), "Lyon")
    assert json.loads(rows[0][4]) == {"e_mail": sha("ana@x.tld"), "mobile": sha("+33612345678"), "city": "Lyon",
                                      "orders": 3}   # the record keeps its types; a dropped key is gone
    assert rows[1][:4] == (sha("bo@x.tld"), None, None, "Porto")


def test_rejected_records_are_stored_with_personal_data_masked(mini):
    header = [*SHOPIFY_REQUIRED, "Email", "Phone", "Billing Name", "Billing Address1", "Billing City"]
    good = _csv([{**SHOPIFY_ROW, "Name": "#1", "Email": "ok@shop.example"}], header).splitlines()
    broken_short = "#2,EUR,paid,2025-05-11 09:55:16 -0400,1,Wax,fulfilled,ann@shop.example,+1 613 555 0199,Ann Lee"
    broken_long = ('#3,EUR,paid,2025-05-11 09:55:16 -0400,1,Wax,fulfilled,extra,bo@shop.example,(613) 555-0142,'
                   '"Bo Chan","12 Elm Street",Ottawa')
    mini.declare("shop", {"orders": ("shopify_orders_csv", "shop/*.csv")}, extra=SHOPIFY_OMITS)
    mini.declare("crm", {"users": ("kevel_users", "crm/*.jsonl")}, extra={"columns": "{user_id: {source: email}}"})
    mini.write("shop/orders.csv", "\n".join([*good, broken_short, broken_long]) + "\n")
    mini.write("crm/users.jsonl", '{"email": "cy@shop.example", "city": "Gent"}\n{"email": "dee@shop.example", oops}\n')
    assert mini.cli("land").code == 0
    stored = dict(mini.query("select line_number, raw_text from loader.rejects where dataset = 'orders'"))
    assert stored == {
        3: "#2,EUR,paid,2025-05-11 09:55:16 -0400,1,Wax,fulfilled,<e-mail>,<phone>,<name>",
        # one field too many: names and addresses masked where they would be, counted from either end
        4: "#3,EUR,paid,2025-05-11 09:55:16 -0400,1,Wax,fulfilled,extra,<e-mail>,<phone>,<name>,<address>,Ottawa",
    }
    assert mini.query("select raw_text from loader.rejects where dataset = 'users'") == [
        ('{"email": "<e-mail>", oops}',)]
    # nothing lost: read = landed + rejected, as before
    assert mini.query("select file_name, rows_read, rows_landed, rows_rejected from loader.files order by 1") == [
        ("drop/crm/users.jsonl", 2, 1, 1), ("drop/shop/orders.csv", 3, 1, 2)]
    shown = mini.cli("status", "--rejects")
    assert shown.code == 0 and "<e-mail>" in shown.out
    for plaintext in ("ann@shop", "bo@shop", "dee@shop", "Ann Lee", "Bo Chan", "12 Elm", "555 0199", "555-0142"):
        assert plaintext not in shown.out + shown.err
        assert not mini.query("select count(*) from loader.rejects where raw_text like ?", [f"%{plaintext}%"])[0][0]


def test_a_source_that_keeps_personal_data_keeps_it_alone_and_says_so(mini):
    rows = [{"Name": "#1", "Email": "Ann@Shop.example", "Phone": "+16135550199", "Billing Name": "Ann Lee",
             "Billing Address1": "12 Elm Street", "Billing City": "Ottawa"}]
    _shopify(mini, "orders.csv", rows, retailer="hashing")
    _shopify(mini, "orders.csv", rows, retailer="keeping", extra={"pii": "keep"})
    result = mini.cli("land")
    assert result.code == 0
    assert "personal data kept: keeping.orders sets pii: keep" in result.err
    assert "hashing.orders" not in result.err.split("personal data kept")[-1].split("\n")[0]
    columns = '"Email", "Phone", "Billing Name", "Billing Address1", "Billing City"'
    assert mini.query(f"select {columns} from raw_keeping.orders") == [
        ("Ann@Shop.example", "+16135550199", "Ann Lee", "12 Elm Street", "Ottawa")]
    assert mini.query(f"select {columns} from raw_hashing.orders") == [
        (sha("ann@shop.example"), sha("+16135550199"), None, None, "Ottawa")]
    # the warehouse-wide check names the kept columns and passes; a leak anywhere else fails it
    check = mini.cli("check-personal-data")
    assert check.code == 0, check.err
    assert "raw_keeping.orders" in check.out and "raw_hashing" not in check.out
    assert "0 column(s) with personal data in plaintext, 2 in the raw tables of sources that keep it" in check.err
    with duckdb.connect(str(mini.warehouse)) as con:
        con.execute("create table main.leak as select 'call +33 6 12 34 56 78 or ann@shop.example' as note")
    check = mini.cli("check-personal-data")
    assert check.code == 1 and "main.leak" in check.out and "2 column(s)" not in check.err


@pytest.mark.parametrize("extra, message", [
    ({"pii": "maybe"}, "meta.loader.pii must be 'keep' or a mapping of field: kind"),
    ({"pii": "{Notes: secret}"}, "pii must be one of email, phone, name, address, ip, not 'secret'"),
    ({"phone_country_code": "France"}, "phone_country_code must be a country calling code"),
])
def test_a_wrong_declaration_is_refused_with_the_source_named(mini, extra, message):
    _shopify(mini, "orders.csv", [{"Name": "#1"}], extra)
    result = mini.cli("land")
    assert result.code == 1
    assert message in result.err and "source shop.orders" in result.err
    assert not mini.warehouse.exists() or not mini.query(
        "select count(*) from information_schema.tables where table_schema = 'raw_shop'")[0][0]


@pytest.mark.parametrize("text, expected", [
    ("broken-row,by jane.doe@example.com,three fields", "broken-row,by <e-mail>,three fields"),
    ("a|b@x.com|c;d\td@y.co.uk", "a|<e-mail>|c;d\t<e-mail>"),
    ("call +1 613 555 0114 or (613) 555-0142, 06 12 34 56 78", "call <phone> or <phone>, <phone>"),
    ("from 192.168.10.4 and 2001:db8:85a3::8a2e:370:7334", "from <ip> and <ip>"),
    # not personal: dates, times and offsets, amounts, order ids, hashes
    ("2025-05-11 09:55:16 -0400,2020-09-16T10:38:06+0100,11.05.2025 09:55", None),
    ("1659.95,0.00,6634244374859,#1001,K2000-3", None),
    (sha("a@b.co") + ",v0042,crm-0042", None),
])
def test_free_text_masks_what_looks_personal_and_nothing_else(text, expected):
    assert mask_text(text) == (expected or text)


def test_a_renamed_e_mail_field_is_required_and_hashed_under_its_delivered_name(mini):
    # staging matches a transformation's names without case, so `to: email` feeds Shopify's Email:
    # the required-column check and the hashing follow the rename the same way (required.delivered_field)
    header = [*SHOPIFY_REQUIRED, "mail", "Phone"]
    extra = {**SHOPIFY_OMITS, "transformations": json.dumps([{"rename": "mail", "to": "email"}])}
    mini.declare("shop", {"orders": ("shopify_orders_csv", "shop/*.csv")}, extra=extra)
    mini.write("shop/orders.csv", _csv([{**SHOPIFY_ROW, "Name": "#1", "mail": " Ann@Shop.example "}], header))
    result = mini.cli("land")
    assert result.code == 0, result.err
    assert mini.query('select "mail" from raw_shop.orders') == [(email_hash(" Ann@Shop.example "),)]
