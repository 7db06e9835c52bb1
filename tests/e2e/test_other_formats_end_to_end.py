"""Conversions, offline purchases, CRM users and product feeds through the real CLI and dbt.

A copy of the project gets a retailer `lab` (scaffolded with the real
add-retailer verb) whose sources carry the options analysts write: defaults,
column mappings, casts. Two deliveries, a `retail-imports run` after each:
real files (the vendor's conversion example, Shopify's products export, the
merchant feeds, UCI Online Retail as store purchases) and files written here
for each rule. Expected values are computed here from the files.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import pytest
import yaml

from conftest import ROOT, make_delivery_folders, run_cli

pytestmark = pytest.mark.dbt

SOURCES = {
    "conversions": ("botify_conversions", "conversions/*",
                    {"defaults": {"channel": "organic", "device": "desktop"},
                     "columns": {"page_url": {"default_protocol": "http"}}}),
    "store": ("related_digital_offline_csv", "store/*", {"columns": {"purchase_id": {"source": "transaction_attr_2"}}}),
    "users": ("kevel_users", "users/*",
              {"columns": {"user_id": {"source": "email"}},
               "defaults": {"user_id_type": "email", "hash_email": True},
               "casts": {"orders": "integer", "vip": "bool", "score": "float"}}),
    "shopify": ("shopify_products_csv", "shopify/*", {"defaults": {"currency_code": "CAD"}}),
    "feed_en": ("merchant_product_feed", "feed_en/*",
                {"defaults": {"currency_code": "AED"}, "columns": {"category": {"source": "category"}}}),
    "feed_ar": ("merchant_product_feed", "feed_ar/*",
                {"columns": {"image_url": {"source": "Image"}, "product_url": {"source": "URL"}}}),
}


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    return Lab(tmp_path_factory.mktemp("lab"))


class Lab:
    """A copy of the project with retailer `lab`, and its own warehouse and drop folder."""

    def __init__(self, root: Path):
        self.project = root / "project"
        self.drop = root / "drop"
        self.warehouse = root / "warehouse.duckdb"
        for name in ("macros", "models", "seeds", "tests/dbt"):
            shutil.copytree(ROOT / name, self.project / name)
        shutil.copy(ROOT / "dbt_project.yml", self.project)
        profiles = root / "profiles"
        profiles.mkdir()
        shutil.copy(ROOT / "profiles.yml.example", profiles / "profiles.yml")
        self.env = {
            "RETAIL_WAREHOUSE": str(self.warehouse), "RETAIL_DATA_DIR": str(root / "no-demo-files"),
            "DBT_PROFILES_DIR": str(profiles), "DBT_TARGET_PATH": str(root / "target"),
            "DBT_LOG_PATH": str(root / "logs"),
        }
        make_delivery_folders(self.project, self.env)
        args = [f"{name}:{fmt}:{self.drop / glob}" for name, (fmt, glob, _) in SOURCES.items()]
        result = self.cli("add-retailer", "lab", *(a for arg in args for a in ("--dataset", arg)))
        assert result.code == 0, result.err
        sources_yml = self.project / "models" / "staging" / "lab" / "_lab__sources.yml"
        doc = yaml.safe_load(sources_yml.read_text())
        for table in doc["sources"][0]["tables"]:
            table["config"]["meta"]["loader"].update(SOURCES[table["name"]][2])
        sources_yml.write_text(yaml.safe_dump(doc, sort_keys=False))

    def cli(self, *args: str):
        return run_cli("--project-dir", str(self.project), *args, cwd=self.project, env=self.env)

    def put(self, relative: str, text: str) -> Path:
        path = self.drop / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql).fetchall()


# --- the deliveries -----------------------------------------------------------------------------


def _deliver_day_one(lab: Lab, realdata: Path) -> dict:
    expected = {}
    # conversions: the vendor's example as-is, a file mixing dates, and JSON rows breaking the rules
    (lab.drop / "conversions").mkdir(parents=True, exist_ok=True)
    shutil.copy(realdata / "botify-conversion-doc-example/conversion-export-2020-09-22.csv", lab.drop / "conversions")
    lab.put("conversions/conversion-export-2020-09-23.csv",
            "https://a.tld/, 2020-09-23, organic, 1, 5\nhttps://a.tld/b, 2020-09-24, organic, 2, 6\n")
    lab.put("conversions/conversion-export-2020-09-25.jsonl", "\n".join(json.dumps(r) for r in [
        {"url": "https://a.tld/ok", "date": "2020-09-25", "channel": "social", "device": "mobile", "transactions": 2, "revenue": 20.5},
        {"url": "a.tld/no-protocol", "date": "2020-09-25", "transactions": 1, "revenue": 3},
        {"url": "/bare/path", "date": "2020-09-25", "transactions": 1, "revenue": 1},
        {"url": "https://a.tld/d1", "date": "20200925", "transactions": 1, "revenue": 1},
        {"url": "https://a.tld/d2", "date": "2020-25-09", "transactions": 1, "revenue": 1},
        {"url": "https://a.tld/d3", "date": "25-09-2020", "transactions": 1, "revenue": 1},
        {"url": "https://a.tld/half", "date": "2020-09-25", "transactions": 1.5, "revenue": 1},
    ]) + "\n")

    # store purchases: UCI Online Retail mapped to the vendor's fixed order, and a row with 30 attributes
    uci = _uci_as_offline(realdata / "uci-online-retail/OnlineRetail_sample30k_linumolk.csv",
                          lab.drop / "store" / "uci_store.csv")
    expected["uci_rows"] = len(uci)
    expected["uci_valid"] = sum(1 for r in uci if r["customer"])
    expected["uci_sales"] = round(sum(float(r["total"]) for r in uci if r["customer"]), 2)
    expected["uci_invoices"] = len({r["invoice"] for r in uci if r["customer"]})
    thirty = [f"T{i}" for i in range(1, 31)]
    lab.put("store/wide.csv", ";".join(["2024-06-01 10:00:00", "W1", "7", "", "P-1", "1", "9.99"] + [""] * 15 + thirty) + "\n"
            + "2024-06-01 10:00:00;W2;7;;P-1;1;9.99\n")   # the empty optional fields left out: flagged
    expected["thirty"] = thirty

    # users: the first CRM export
    lab.put("users/users_1.csv", "email,first_name,city,orders,tier,vip,score\n"
                                 " Ana@X.TLD ,Ana,Lyon,3,gold,true,2.4\n"
                                 "bo@x.tld,Bo,Porto,1.9,,0,\n"
                                 "cy@x.tld,Cy,Gent,car,silver,maybe,1\n")

    # products: Shopify's real export, the English TSV and the Arabic CSV feeds
    (lab.drop / "shopify").mkdir(parents=True, exist_ok=True)
    shutil.copy(realdata / "shopify-realstore-rieker-ca/products_export_1.csv", lab.drop / "shopify" / "products_1.csv")
    (lab.drop / "feed_en").mkdir(parents=True, exist_ok=True)
    shutil.copy(realdata / "merchant-feed-emirates-gifts/google_merchant_feed_en.tsv", lab.drop / "feed_en")
    (lab.drop / "feed_ar").mkdir(parents=True, exist_ok=True)
    shutil.copy(realdata / "merchant-feed-emirates-gifts/merchant-feed-ar.csv", lab.drop / "feed_ar")
    # and a feed with one problem per item
    lab.put("feed_en/crafted_feed.tsv", "\n".join("\t".join(r) for r in [
        ["id", "title", "price", "availability", "link"],
        ["c1", "Fine", "10.00 USD", "in stock", "https://shop.tld/c1"],
        ["c2", "", "10.00", "in stock", "https://shop.tld/c2"],
        ["c3", "Bad price", "ten", "in stock", "https://shop.tld/c3"],
        ["c4", "Odd stock", "5", "maybe", "https://shop.tld/c4"],
        ["c1", "Fine again", "11", "in stock", "https://shop.tld/c1"],
        ["", "No id", "1", "in stock", "https://shop.tld/x"],
        ["c5", "Path only", "1", "in stock", "/c5"],
    ]) + "\n")
    # a JSON lines feed in the same source: prices as numbers
    lab.put("feed_en/extra.jsonl", json.dumps({"id": "j1", "title": "From JSON", "price": 12.5}) + "\n")
    return expected


def _uci_as_offline(source: Path, target: Path) -> list[dict]:
    from datetime import datetime

    target.parent.mkdir(parents=True, exist_ok=True)
    records = []
    with open(source, encoding="utf-8", newline="") as handle, open(target, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";", lineterminator="\n")
        for row in csv.DictReader(handle):
            when = datetime.strptime(row["InvoiceDate"], "%m/%d/%y %H:%M") if "/" in row["InvoiceDate"] else \
                datetime.strptime(row["InvoiceDate"], "%Y-%m-%d %H:%M:%S")
            customer = row["CustomerID"].removesuffix(".0")
            total = f"{float(row['Quantity']) * float(row['UnitPrice']):.2f}"
            writer.writerow([when.strftime("%Y-%m-%d %H:%M:%S"), customer, "7", "", row["StockCode"], row["Quantity"],
                             total, row["Country"], "", "", "", "", row["Description"]] + [""] * 9
                            + ["till-1", row["InvoiceNo"]])
            records.append({"customer": customer, "total": total, "invoice": row["InvoiceNo"]})
    return records


def _shopify_reimport(original: Path, target: Path, changed: list[str], copied: str) -> None:
    """The export again: the first-row price of `changed` products up by 1.00, and `copied` once more as a new product."""
    with open(original, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames, list(reader)
    seen = set()
    for row in rows:
        if row["Handle"] in changed and row["Handle"] not in seen:
            row["Variant Price"] = f"{float(row['Variant Price']) + 1:.2f}"
        seen.add(row["Handle"])
    rows += [{**row, "Handle": copied + "-new"} for row in rows if row["Handle"] == copied]
    with open(target, "w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fields, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)


# --- the test -----------------------------------------------------------------------------------


def test_other_formats_end_to_end(lab, realdata):
    expected = _deliver_day_one(lab, realdata)
    first = lab.cli("run")
    # one file fails (mixed dates): the run says so and exits 1, the build still runs
    assert first.code == 1, first.err[-3000:]
    message = " ".join(first.err.split())
    assert "conversion-export-2020-09-23.csv: every row must be dated 2020-09-23" in message
    assert "1 row is not: line 2 (2020-09-24)" in message
    assert "ERROR=0" in first.out, first.out[-5000:]

    _check_conversions_day_one(lab)
    _check_store(lab, expected)
    users_before = _check_users_day_one(lab)
    products = _check_products_day_one(lab, realdata)

    # day two: a re-delivered report for 2020-09-22, a user update, the products re-imported
    lab.put("conversions/conversion-export-2020-09-22-v2.csv",
            "https://domain.tld/path\t2020-09-22\torganic\t5\t50.0\n")
    lab.put("users/users_2.jsonl", json.dumps({"email": "bo@x.tld", "city": "Turku"}) + "\n")
    changed, copied = products["valid_handles"][:3], products["valid_handles"][3]
    _shopify_reimport(realdata / "shopify-realstore-rieker-ca/products_export_1.csv",
                      lab.drop / "shopify" / "products_2.csv", changed, copied)
    second = lab.cli("run")
    assert second.code == 1 and "ERROR=0" in second.out, second.out[-5000:]   # the mixed-date file still fails

    # the newest delivery of a date replaces the whole date
    assert lab.query("select page_url, transactions, revenue::double from fct_conversions "
                     "where conversion_date = '2020-09-22'") == [("https://domain.tld/path", 5, 50.0)]
    # one attribute changed, the others intact
    users_after = _dim_users(lab)
    bo = _hash("bo@x.tld")
    assert users_after[bo] == {**users_before[bo], "city": "Turku"}
    assert {k: v for k, v in users_after.items() if k != bo} == {k: v for k, v in users_before.items() if k != bo}
    # the product re-import: exact counts
    report = lab.query("select items_in_file, items_valid, items_added, items_updated, items_unchanged "
                       "from audit_product_imports where file_name like '%products_2.csv'")
    assert report == [(products["items"] + 1, products["valid"] + 1, 1, 3, products["valid"] - 3)]
    prices = dict(lab.query("select product_id, price::double from dim_products where retailer = 'lab'"))
    for handle in changed:
        assert prices[handle] == pytest.approx(products["prices"][handle] + 1)
    assert prices[copied + "-new"] == pytest.approx(products["prices"][copied])


def _check_conversions_day_one(lab: Lab) -> None:
    rows = lab.query("select page_url, conversion_date::varchar, channel, device, transactions, revenue::double, "
                     "is_page_url_protocol_defaulted from fct_conversions order by conversion_date, page_url, channel")
    assert rows == [
        # the vendor's example, as-is; no device in it: the source's default
        ("https://domain.tld", "2020-09-22", "organic", "desktop", 1, 10.0, False),
        ("https://domain.tld/path", "2020-09-22", "organic", "desktop", 2, 20.0, False),
        ("https://domain.tld/path", "2020-09-22", "social", "desktop", 3, 30.0, False),
        # the missing protocol takes the source's (http) and is counted; the missing channel is organic
        ("http://a.tld/no-protocol", "2020-09-25", "organic", "desktop", 1, 3.0, True),
        ("https://a.tld/ok", "2020-09-25", "social", "mobile", 2, 20.5, False),
    ]
    rejected = [r for (r,) in lab.query(
        "select _rejection_reason from stg_lab__conversions where _rejection_reason is not null")]
    assert sorted(rejected) == sorted([
        "url: not a complete URL (a path without a domain)",
        "date: not a valid date (YYYY-MM-DD)",
        "date: not a valid date (YYYY-MM-DD)",
        "date: not a valid date (YYYY-MM-DD)",
        "transactions: not a valid integer",
    ])
    assert lab.query("select rows_landed, rows_valid, urls_with_default_protocol from audit_conversion_files "
                     "where file_name like '%2020-09-25.jsonl'") == [(7, 2, 1)]
    # the file mixing dates: failed in the manifest, nothing of it anywhere downstream
    assert lab.query("select status from audit_import_files where file_name like '%2020-09-23.csv'") == [("failed",)]
    assert lab.query("select count(*) from stg_lab__conversions where _source_file like '%2020-09-23.csv'") == [(0,)]


def _check_store(lab: Lab, expected: dict) -> None:
    count, sales = lab.query("select count(*), round(sum(total_sales)::double, 2) from fct_offline_events "
                             "where _source_file like '%uci_store.csv'")[0]
    assert (count, sales) == (expected["uci_valid"], expected["uci_sales"])
    # the rows without a customer (UCI's blank CustomerID) are flagged, with their reason, and only they
    assert lab.query("select _rejection_reason, count(*) from stg_lab__store where _source_file like '%uci_store.csv' "
                     "and _rejection_reason is not null group by 1") == [
        ("customer_id: required value missing", expected["uci_rows"] - expected["uci_valid"])
    ]
    # the purchase id is the source's chosen transaction attribute (the second here)
    assert lab.query("select count(distinct purchase_id) from fct_offline_events where _source_file like '%uci_store.csv'") \
        == [(expected["uci_invoices"],)]
    ((attributes, purchase_id, name),) = lab.query(
        "select transaction_attributes, purchase_id, event_type_name from fct_offline_events where customer_id = 'W1'")
    assert list(attributes) == expected["thirty"] and purchase_id == "T2" and name == "purchase"
    assert lab.query("select _rejection_reason from stg_lab__store where customer_id = 'W2'") == [
        ("row has fewer than 22 fields (empty fields still need their separators)",)
    ]


def _hash(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _dim_users(lab: Lab) -> dict:
    return {user_id: json.loads(attributes) for user_id, attributes in lab.query(
        "select user_id, attributes from dim_users where retailer = 'lab' and user_id_type = 'email_sha256'")}


def _check_users_day_one(lab: Lab) -> dict:
    users = _dim_users(lab)
    # ids trimmed, lower-cased, hashed; casts as the vendor's castTo (1.9 -> 1, 0 -> false); empty cells are no attribute
    assert users == {
        _hash("ana@x.tld"): {"first_name": "Ana", "city": "Lyon", "orders": 3, "tier": "gold", "vip": True, "score": 2.4},
        _hash("bo@x.tld"): {"first_name": "Bo", "city": "Porto", "orders": 1, "vip": False},
    }
    assert lab.query("select _rejection_reason from stg_lab__users where _rejection_reason is not null") == [
        ("orders: cannot be cast to integer; vip: cannot be cast to bool",)
    ]
    return users


def _check_products_day_one(lab: Lab, realdata: Path) -> dict:
    shopify = realdata / "shopify-realstore-rieker-ca/products_export_1.csv"
    with open(shopify, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    handles = list(dict.fromkeys(r["Handle"] for r in rows))
    first_rows = {}
    for r in rows:
        first_rows.setdefault(r["Handle"], r)
    ((items, valid, invalid, added),) = lab.query(
        "select items_in_file, items_valid, items_invalid, items_added from audit_product_imports "
        "where file_name like '%products_1.csv'")
    assert items == len(handles) and valid + invalid == items and added == valid
    issue_items = lab.query("select coalesce(sum(items_with_issue), 0) from audit_product_import_issues "
                            "where file_name like '%products_1.csv'")[0][0]
    assert issue_items >= invalid
    valid_handles = [h for (h,) in lab.query(
        "select product_id from int_product_items where is_valid and _source_file like '%products_1.csv' "
        "order by product_id")]
    assert len(valid_handles) == valid >= 4
    # a product's fields come from its first row; the currency from the source's default
    sample = valid_handles[0]
    ((title, price, currency, sku),) = lab.query(
        f"select title, price::double, currency_code, sku from dim_products where product_id = '{sample}'")
    assert (title, price, currency, sku) == (first_rows[sample]["Title"], float(first_rows[sample]["Variant Price"]),
                                             "CAD", first_rows[sample]["Variant SKU"])

    # the merchant feeds: prices without and with their currency, the Arabic one mapped by the source
    feeds = dict(((f.split("/")[-1]), (n, v)) for f, n, v in lab.query(
        "select file_name, items_in_file, items_valid from audit_product_imports where file_name like '%feed%'"))
    for name, delimiter in (("google_merchant_feed_en.tsv", "\t"), ("merchant-feed-ar.csv", ",")):
        with open(realdata / "merchant-feed-emirates-gifts" / name, encoding="utf-8", newline="") as handle:
            ids = {r[0] for r in list(csv.reader(handle, delimiter=delimiter))[1:] if r}
        assert feeds[name][0] == len(ids), name
    # one issue per item: 6 items (c1..c5 and the row without an id), c1 the only valid one, its repeat ignored
    assert lab.query("select items_in_file, items_valid, items_invalid from audit_product_imports "
                     "where file_name like '%crafted_feed.tsv'") == [(6, 1, 5)]
    issues = lab.query("select column_name, problem, items_with_issue, percent_of_items::double "
                       "from audit_product_import_issues where file_name like '%crafted_feed.tsv' order by 1, 2")
    assert issues == [
        ("availability", "not one of in stock, out of stock, preorder, backorder, in_stock, out_of_stock", 1, 16.67),
        ("id", "required value missing", 1, 16.67),
        ("link", "not a complete URL (a path without a domain, or no protocol)", 1, 16.67),
        ("price", "not a valid number", 1, 16.67),
        ("product_id", "duplicate id in the file (later rows ignored)", 1, 16.67),
        ("title", "required value missing", 1, 16.67),
    ]
    assert lab.query("select title, price::double, currency_code from dim_products where product_id = 'c1'") == [
        ("Fine", 10.0, "USD")
    ]
    assert lab.query("select title, price::double, currency_code from dim_products where product_id = 'j1'") == [
        ("From JSON", 12.5, "AED")
    ]
    ar = lab.query("select title, price::double, sale_price::double, currency_code, image_url is not null "
                   "from dim_products where product_id = 'perfume_1'")
    assert ar == [("عطر كوكو شانيل 100 مل", 352.0, 252.0, "AED", True)]
    en = lab.query("select price::double, currency_code, category from dim_products where product_id = 'perfume_001'")
    assert en == [(250.0, "AED", "Perfume & Fragrance")]
    return {"items": items, "valid": valid, "valid_handles": valid_handles,
            "prices": {h: float(first_rows[h]["Variant Price"]) for h in valid_handles}}
