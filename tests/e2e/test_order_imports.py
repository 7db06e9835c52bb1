"""Order and user imports end to end (vendor spec 003), through the real CLI
(`add-retailer`, `import`) and dbt in a copy of the project, in one build:

- the real Shopify exports: the full 79-column dev-store export as the
  vendor's table says (required values enforced) and with the fields it
  leaves empty made optional; the real 34-column export onboarded with
  `optional_columns` for the fields it omits;
- a tax-inclusive Shopify export written here with that 79-column header
  (prices include tax, Taxes filled, Total = Subtotal + Shipping; discounts,
  multi-line orders, refunds, one tip);
- a Kevel file with one row per problem the spec describes;
- a CRM users JSON lines feed with user id flags, a value map and
  transformations in command-line order.

Expectations are computed here from the files with Python's csv module, not
from the warehouse.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import defaultdict
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import REALDATA, ProjectCopy

pytestmark = pytest.mark.dbt

FOREZIA = REALDATA / "shopify-devstore-forezia" / "orders_export.csv"
RIEKER = REALDATA / "shopify-realstore-rieker-ca" / "orders_export_1.csv"
# Spec 003, Shopify CSV: the columns marked Required (order columns on an order's first row only).
SHOPIFY_REQUIRED_ORDER = ["Name", "Email", "Id", "Currency", "Total", "Subtotal", "Taxes", "Financial Status",
                          "Refunded Amount", "Discount Amount", "Shipping", "Created at"]
SHOPIFY_REQUIRED_LINE = ["Lineitem quantity", "Lineitem name", "Lineitem price", "Lineitem discount",
                         "Lineitem fulfillment status", "Lineitem sku"]
RIEKER_OMITS = ["Email", "Id", "Total", "Subtotal", "Taxes", "Shipping", "Lineitem price", "Lineitem discount"]

KEVEL_HEADER = [
    "orderId", "userIdType", "userId", "currency", "total", "subtotal", "tax", "shipping", "discount", "refund",
    "createdAt", "custom_gift wrap", 'custom_a "quoted"; name', "custom_ünïcode", "custom_x'); drop table y; --",
    "lineItem_id", "lineItem_productId", "lineItem_sku", "lineItem_currency", "lineItem_total", "lineItem_subtotal",
    "lineItem_tax", "lineItem_shipping", "lineItem_discount", "lineItem_refund", "lineItem_quantity",
    "lineItem_categories", "lineItem_status",
]
ORDER = {"userIdType": "crm_id", "currency": "EUR", "total": "60.00", "subtotal": "50.00", "tax": "8.00",
         "shipping": "2.00", "discount": "0", "refund": "0", "createdAt": "2024-06-01T10:00:00+0100"}
LINE = {"lineItem_productId": "p1", "lineItem_sku": "p1-M", "lineItem_currency": "EUR", "lineItem_total": "30.00",
        "lineItem_subtotal": "25.00", "lineItem_tax": "4.00", "lineItem_shipping": "1.00", "lineItem_discount": "0",
        "lineItem_refund": "0", "lineItem_quantity": "1.0", "lineItem_categories": "Men; Shirts", "lineItem_status": "paid"}
# line number -> (order columns; a single orderId means the order columns are left empty, line columns)
KEVEL_ROWS = {
    2: ({"orderId": "O1", "userId": "c-1", "custom_gift wrap": "yes", 'custom_a "quoted"; name': "q",
         "custom_ünïcode": "ü", "custom_x'); drop table y; --": "z"}, {"lineItem_id": "O1-a"}),
    3: ({"orderId": "O1"}, {"lineItem_id": "O1-b"}),
    4: ({"orderId": "O2", "userId": "c-2", "total": "100.00"}, {}),             # total != subtotal + tax + shipping
    5: ({"orderId": "O2"}, {"lineItem_id": "O2-b"}),                            # ... discards the whole order
    6: ({"orderId": "O3", "userId": "c-3"}, {"lineItem_status": "shipped"}),   # unknown line status
    7: ({"orderId": "O4", "userId": "c-4", "currency": "XYZ"}, {}),            # not an ISO 4217 currency
    8: ({"orderId": "O5", "userId": "c-5"}, {"lineItem_id": "O5-a"}),           # O5's first run: dropped,
    9: ({"orderId": "O6", "userId": "c-6"}, {}),
    10: ({"orderId": "O5"}, {"lineItem_id": "O5-b"}),                           # its last run kept, with line 8's details
    11: ({"orderId": "O7", "userIdType": "email", "userId": " Jane.Doe@Example.COM "}, {}),
    12: ({"orderId": "O8", "userIdType": "email", "userId": "not-an-email"}, {}),
    13: ({"orderId": "O9", "userId": "c-9"}, {"lineItem_id": "O9-a"}),
    14: ({"orderId": "O9"}, {"lineItem_id": "O9-b", "lineItem_total": "31.00"}),  # a bad line discards O9 whole
    15: ({"orderId": "O10", "userId": "c-10"}, {"lineItem_id": "a", "lineItem_status": "fulfilled", "lineItem_quantity": "2"}),
    16: ({"orderId": "O10"}, {"lineItem_id": "b", "lineItem_status": "cancelled"}),
    17: ({"orderId": "O11", "userId": "c-11"}, {"lineItem_id": "a", "lineItem_status": "refunded"}),
    18: ({"orderId": "O11"}, {"lineItem_id": "b", "lineItem_status": "cancelled"}),
    19: ({"orderId": "O12", "userId": "c-12"}, {"lineItem_status": "Paid"}),     # statuses are case sensitive
    20: ({"orderId": "O13", "userId": "c-13"}, {"lineItem_id": "a", "lineItem_status": "placed"}),
    21: ({"orderId": "O13"}, {"lineItem_id": "b", "lineItem_quantity": "3"}),
}
KEVEL_PROBLEMS = {
    4: "total: 100.0 is not subtotal + tax + shipping = 60.0",
    5: "order O2 discarded: 1 of its rows rejected (first: line 4)",
    6: "lineItem_status: not one of placed, paid, fulfilled, refunded, cancelled (case sensitive)",
    7: "currency: XYZ is not a supported ISO 4217 currency",
    8: "order O5: rows not adjacent, lines 8-8 dropped: only the last run of its rows (lines 10-10) is kept, "
       "with the order details of line 8",
    12: "userId: not a valid email",
    13: "order O9 discarded: 1 of its rows rejected (first: line 14)",
    14: "lineItem_total: 31.0 is not lineItem_subtotal + lineItem_tax + lineItem_shipping = 30.0",
    19: "lineItem_status: not one of placed, paid, fulfilled, refunded, cancelled (case sensitive)",
}
USERS = [  # JSON lines: tier 1 is a number, "1" text
    {"email": " Ann@Example.com ", "tier": 1, "plan": "gold"},
    {"email": "bob@example.com", "tier": "1", "plan": "silver"},
]


def _kevel_file(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(KEVEL_HEADER)
        for order, item in KEVEL_ROWS.values():
            row = dict(LINE, **item)
            row.update(order if len(order) == 1 else dict(ORDER, **order))   # continuation rows: orderId only
            writer.writerow([row.get(c, "") for c in KEVEL_HEADER])
    return path


def _money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _tax_inclusive_export(path: Path) -> Path:
    """50 orders of a store whose prices include 20 % VAT, in the real 79-column export layout:
    Subtotal = sum(quantity x price - line discount), Taxes = the VAT inside Subtotal and Shipping,
    Total = Subtotal + Shipping. Multi-line orders, discounts, refunds; order #2050 adds a 2.00 tip."""
    with open(FOREZIA, encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        for n in range(1, 51):
            lines = []
            for k in range(1 + n % 3):
                price = Decimal(12 + 7 * ((n + k) % 5)) + Decimal("0.90")
                quantity = 1 + (n + k) % 3
                discount = _money(price * quantity / 10) if (n + k) % 4 == 0 else "0.00"
                lines.append((price, quantity, Decimal(discount)))
            subtotal = sum(p * q - d for p, q, d in lines)
            shipping = Decimal("0.00") if subtotal > 60 else Decimal("4.90")
            taxes = Decimal(_money((subtotal + shipping) * Decimal(20) / Decimal(120)))
            total = subtotal + shipping + (Decimal("2.00") if n == 50 else 0)
            refunded = n % 10 == 0
            refund = lines[0][0] * lines[0][1] - lines[0][2] if refunded else Decimal(0)
            status = "partially_refunded" if refunded and len(lines) > 1 else "refunded" if refunded else (
                "pending" if n % 7 == 0 else "paid")
            for k, (price, quantity, discount) in enumerate(lines):
                row = {"Name": f"#{2000 + n}", "Created at": f"2025-03-{1 + n % 28:02d} 10:{n:02d}:00 +0100",
                       "Lineitem quantity": str(quantity), "Lineitem name": f"Scarf {n}-{k}",
                       "Lineitem price": _money(price), "Lineitem discount": _money(discount),
                       "Lineitem sku": f"SC-{n}-{k}", "Lineitem requires shipping": "true",
                       "Lineitem taxable": "true", "Vendor": "Maison",
                       "Lineitem fulfillment status": "restocked" if refunded and k == 0 else (
                           "pending" if n % 7 == 0 else "fulfilled")}
                if k == 0:   # Shopify fills the order columns on an order's first row only
                    row.update({
                        "Email": f"Buyer{n}@Example.eu", "Financial Status": status, "Currency": "EUR",
                        "Subtotal": _money(subtotal), "Shipping": _money(shipping), "Taxes": _money(taxes),
                        "Total": _money(total), "Discount Code": "SPRING10" if any(d for _, _, d in lines) else "",
                        "Discount Amount": _money(sum(d for _, _, d in lines)), "Shipping Method": "Colissimo",
                        "Refunded Amount": _money(refund), "Id": str(9100000000 + n), "Source": "web",
                        "Payment Method": "Shopify Payments", "Tax 1 Name": "TVA 20%", "Tax 1 Value": _money(taxes),
                        "Shipping Country": "FR", "Paid at": f"2025-03-{1 + n % 28:02d} 10:{n:02d}:30 +0100"})
                writer.writerow(row)
    return path


def _users_file(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(u) + "\n" for u in USERS), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    project = ProjectCopy(tmp_path_factory.mktemp("orders") / "project")
    kevel = _kevel_file(project.data / "kevelbad" / "orders.csv")
    taxinc = _tax_inclusive_export(project.data / "taxinc" / "orders_export.csv")
    users = _users_file(project.data / "crmco" / "users_20240601.jsonl")
    project.add_retailer("forezia", "orders", "shopify_orders_csv", FOREZIA)
    project.add_retailer("forezia_ids", "orders", "shopify_orders_csv", FOREZIA, order_id_column="Id",
                         optional_columns="[Email, Lineitem sku]")
    project.add_retailer("rieker", "orders", "shopify_orders_csv", RIEKER, timestamp_format="'%d/%m/%Y %H:%M'",
                         timezone="America/Toronto", optional_columns=f"[{', '.join(RIEKER_OMITS)}]")
    project.add_retailer("taxinc", "orders", "shopify_orders_csv", taxinc)
    project.add_retailer("kevelbad", "orders", "kevel_orders_csv", kevel)
    added = project.cli("add-retailer", "crmco", "--dataset", f"users:kevel_users:{users.parent}/users_*.jsonl",
                        "--user-id-field", "users:email", "--user-id-type", "users:email",
                        "--option", "users:defaults={hash_email: true}",
                        # in this order: the copy takes tier as delivered, then tier is renamed and mapped
                        "--copy", "users:tier=tier_copy", "--rename", "users:tier=tier_label",
                        "--map", "users:tier_label:1=one")
    assert added.code == 0, added.err
    result = project.cli("import", "--report-dir", str(project.root / "reports"))
    [report] = (project.root / "reports").glob("*-import.json")
    return project, result, kevel, taxinc, json.loads(report.read_text(encoding="utf-8"))


def _shopify(path: Path, id_column: str = "Name") -> dict:
    """Orders of a Shopify export: {order id: {'head': first row, 'lines': [rows], 'line_numbers': [the
    physical line each row starts on], 'first_line': the first of them}}."""
    orders: dict = {}
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        current, ended = None, 1
        for row in reader:
            start, ended = ended + 1, reader.line_num    # quoted cells may hold line breaks
            if current is None or row["Name"] != current["head"]["Name"]:
                current = {"head": row, "lines": [], "line_numbers": [], "first_line": start}
                orders[row[id_column]] = current
            current["lines"].append(row)
            current["line_numbers"].append(start)
    return orders


def _gaps(order: dict, optional: list[str] = ()) -> list[str]:
    """The vendor-required values an order lacks (spec 003: "Required fields are present in all lines")."""
    head = order["head"]
    gaps = [c for c in SHOPIFY_REQUIRED_ORDER if c in head and c not in optional and not head[c].strip()]
    gaps += [c for line in order["lines"] for c in SHOPIFY_REQUIRED_LINE
             if c in line and c not in optional and not line[c].strip()]
    return sorted(set(gaps))


def test_import_builds_with_no_test_error_and_only_documented_warnings(built):
    _, result, _, _, report = built
    output = result.out + result.err
    assert "ERROR=0" in output, output[-4000:]
    assert result.code == 1     # records were discarded: the import says so by its exit code
    assert report["status"] == "completed"
    warned = set(re.findall(r"Warning in test (\S+)", output))
    assert warned == {
        "no_rejected_rows_int_order_lines__validated_",   # the Kevel file, forezia's gaps, one rieker line
        "shopify_totals_add_up",                          # the tip of #2050
        "not_null_fct_orders_revenue",                    # the 34-column export has no amounts
    }, warned
    # the source that makes vendor-required fields optional is told at every land, and in the report
    assert ("warning rieker.orders: vendor-required field(s) Email, Id, Total, Subtotal, Taxes, Shipping, "
            "Lineitem price, Lineitem discount optional for this source") in result.err
    [issue] = [i for i in report["issues"] if i["source"] == "rieker.orders" and i["column"] == "(source)"]
    assert issue["level"] == "warning" and issue["count"] == 3912


@pytest.mark.parametrize("retailer, path, id_column, optional", [
    ("forezia", FOREZIA, "Name", []),
    ("forezia_ids", FOREZIA, "Id", ["Email", "Lineitem sku"]),
    ("rieker", RIEKER, "Name", RIEKER_OMITS),
    ("taxinc", "taxinc", "Name", []),
])
def test_shopify_export_reconciles_with_the_marts(built, retailer, path, id_column, optional):
    project, _, _, taxinc, _ = built
    orders = _shopify(taxinc if path == "taxinc" else path, id_column)
    kept = {k: o for k, o in orders.items() if not _gaps(o, optional)}
    got_orders = {r[0]: r[1:] for r in project.query(
        "select order_id, revenue, subtotal_amount, tax_amount, shipping_amount, discount_amount, refund_amount, "
        "item_count from fct_orders where retailer = ?", [retailer])}
    assert set(got_orders) == set(kept)
    lines = project.query(
        "select order_id, line_position, quantity, total_amount, product_name, sku, line_item_status "
        "from fct_order_line_items where retailer = ? order by order_id, line_position", [retailer])
    by_order = defaultdict(list)
    for order_id, *rest in lines:
        by_order[order_id].append(rest)
    assert {k: len(v) for k, v in by_order.items()} == {k: len(o["lines"]) for k, o in kept.items()}
    priced = "Lineitem price" in next(iter(orders.values()))["head"]
    for order_id, order in kept.items():
        got, head = by_order[order_id], order["head"]
        assert [g[3] for g in got] == [line["Lineitem name"] for line in order["lines"]]
        assert [g[4] for g in got] == [line["Lineitem sku"] or None for line in order["lines"]]
        quantity = sum(Decimal(line["Lineitem quantity"]) for line in order["lines"])
        assert sum(g[1] for g in got) == quantity
        revenue, subtotal, tax, shipping, discount, refund, items = got_orders[order_id]
        statuses = [g[5] for g in got]
        assert items == (quantity - sum(Decimal(line["Lineitem quantity"]) for line, s in
                                        zip(order["lines"], statuses) if s == "cancelled"))
        assert (discount, refund) == (Decimal(head["Discount Amount"]), Decimal(head["Refunded Amount"]))
        if priced:
            expected = sum(Decimal(line["Lineitem price"]) * Decimal(line["Lineitem quantity"])
                           - Decimal(line["Lineitem discount"]) for line in order["lines"])
            assert sum(g[2] for g in got) == expected
            assert expected == Decimal(head["Subtotal"])    # the export's own subtotal agrees
            assert (revenue, subtotal, tax, shipping) == tuple(
                Decimal(head[c]) for c in ("Total", "Subtotal", "Taxes", "Shipping"))
        else:
            assert all(g[2] is None for g in got) and revenue is None
    # orders lacking a vendor-required value are discarded whole, every row listed with its reason
    rejected = defaultdict(list)
    for line, reason in project.query(
            "select line_number, reason from audit_rejected_rows where retailer = ? order by 1", [retailer]):
        rejected[line].append(reason)
    discarded = {k: o for k, o in orders.items() if k not in kept}
    assert set(rejected) == {n for o in discarded.values() for n in o["line_numbers"]}
    for order_id, order in discarded.items():
        reasons = "; ".join(r for n in order["line_numbers"] for r in rejected[n])
        for gap in _gaps(order, optional):
            assert f"{gap}: required value missing" in reasons, (order_id, reasons)
    total_lines = sum(len(o["lines"]) for o in kept.values())
    ((count,),) = project.query("select count(*) from fct_order_line_items where retailer = ?", [retailer])
    assert count == total_lines


def test_real_exports_keep_every_order_the_vendor_rules_keep(built):
    """The counts behind the reconciliation: forezia leaves Email or SKU empty on 18 of its 19 orders (the
    vendor requires both), rieker one SKU; made optional, forezia keeps all 19."""
    project, _, _, _, _ = built
    counts = dict(project.query(
        "select retailer, count(*) from fct_orders where retailer in ('forezia', 'forezia_ids', 'rieker', 'taxinc') "
        "group by 1"))
    assert counts == {"forezia": 1, "forezia_ids": 19, "rieker": 3086, "taxinc": 50}


def test_tax_inclusive_totals_are_kept_and_a_total_adding_up_to_neither_is_only_warned(built):
    project, result, _, taxinc, _ = built
    name = str(taxinc.relative_to(project.root))
    orders = _shopify(taxinc)
    head = orders["#2050"]["head"]
    assert Decimal(head["Total"]) == Decimal(head["Subtotal"]) + Decimal(head["Shipping"]) + 2   # the tip
    warned = re.findall(rf"warning {re.escape(name)}:(\d+): (.*)", result.out + result.err)
    assert warned == [(str(orders["#2050"]["first_line"]),
                       f"Total: {float(head['Total'])} is neither Subtotal + Shipping + Taxes = "
                       f"{float(Decimal(head['Subtotal']) + Decimal(head['Shipping']) + Decimal(head['Taxes']))} "
                       f"nor Subtotal + Shipping = {float(Decimal(head['Subtotal']) + Decimal(head['Shipping']))}")]
    assert project.query("select count(*) from audit_rejected_rows where retailer = 'taxinc'") == [(0,)]
    assert project.query("select revenue from fct_orders where retailer = 'taxinc' and order_id = '#2050'") == [
        (Decimal(head["Total"]),)]


def test_shopify_statuses_and_times_are_canonical(built):
    project, _, _, _, _ = built
    # forezia #1013: pending payment, one line fulfilled, one not; times `2025-05-11 09:55:16 -0400`
    rows = project.query(
        "select o.order_status, o.ordered_at, o.user_id_type, l.line_item_status from fct_orders o "
        "join fct_order_line_items l using (order_key) where o.retailer = 'forezia_ids' "
        "and o.order_id = ? order by l.line_position", [_shopify(FOREZIA)["#1013"]["head"]["Id"]])
    assert [r[3] for r in rows] == ["placed", "fulfilled"]
    assert rows[0][0] == "placed" and rows[0][2] == "email_sha256"
    first = _shopify(FOREZIA)["#1001"]["head"]
    expected = datetime.strptime(first["Created at"], "%Y-%m-%d %H:%M:%S %z").astimezone(timezone.utc).replace(tzinfo=None)
    assert project.query("select ordered_at from fct_orders where retailer = 'forezia_ids' and order_id = ?",
                         [first["Id"]]) == [(expected,)]
    # rieker: `31/12/2023 22:36`, day first, in the store's zone (declared per source)
    head = _shopify(RIEKER)["#4087"]["head"]
    local = datetime.strptime(head["Created at"], "%d/%m/%Y %H:%M").replace(tzinfo=ZoneInfo("America/Toronto"))
    assert project.query("select ordered_at from fct_orders where retailer = 'rieker' and order_id = '#4087'") \
        == [(local.astimezone(timezone.utc).replace(tzinfo=None),)]
    # every financial status of the real file maps: refunded orders have refunded lines
    statuses = dict(project.query(
        "select o.financial_status || '/' || l.fulfillment_status, min(l.line_item_status) from fct_orders o "
        "join fct_order_line_items l using (order_key) where o.retailer = 'rieker' group by 1"))
    assert statuses["refunded/fulfilled"] == "refunded" and statuses["paid/pending"] == "paid"
    # e-mails are hashed: forezia's first order with an e-mail
    order = next(o for o in _shopify(FOREZIA).values() if o["head"]["Email"])
    digest = hashlib.sha256(order["head"]["Email"].strip().lower().encode()).hexdigest()
    assert project.query(
        "select user_id_type, user_id from fct_orders where retailer = 'forezia_ids' and order_id = ?",
        [order["head"]["Id"]]) == [("email_sha256", digest)]


def test_kevel_problems_discard_whole_orders_named_by_row_and_line(built):
    project, result, kevel, _, report = built
    name = str(kevel.relative_to(project.root))   # files inside the project are named relative to it
    output = result.out + result.err
    # the dbt output names the first 50 rejected rows of the build (the exports' come first)
    for line in (4, 5, 8):
        reason = KEVEL_PROBLEMS[line]
        assert re.search(rf"rejected {re.escape(name)}:{line}: [^\n]*{re.escape(reason)}", output), (line, reason)
    audit = dict(project.query(
        "select line_number, reason from audit_rejected_rows where retailer = 'kevelbad' order by 1"))
    assert audit == KEVEL_PROBLEMS
    assert project.query(
        "select dataset, rows_invalid, rows_valid from audit_import_files where retailer = 'kevelbad'") \
        == [("orders", 9, 11)]
    # the import report counts every rejected row, the discarded orders' other rows as one problem
    [entry] = [f for f in report["files"] if f["source"] == "kevelbad.orders"]
    assert (entry["rows_read"], entry["rejected_staging"], entry["valid"]) == (20, 9, 11)
    issues = {(i["column"], i["problem"]): i["count"] for i in report["issues"]
              if i["source"] == "kevelbad.orders" and i["level"] == "error"}
    assert issues[("(order)", "order discarded: another of its rows is rejected (spec 003: import errors "
                               "invalidate the entry)")] == 2
    assert issues[("lineItem_status", "not one of placed, paid, fulfilled, refunded, cancelled (case sensitive)")] == 2
    assert issues[("(order)", "rows not adjacent: an earlier run of the order's rows is dropped, its last run kept")] == 1
    assert sum(issues.values()) == 9

    # discarded orders leave no order row, no line and no event; kept orders are whole
    assert sorted(project.query(
        "select order_id, user_id, order_status, item_count from fct_orders where retailer = 'kevelbad'")) == [
        ("O1", "c-1", "paid", 2), ("O10", "c-10", "fulfilled", 2), ("O11", "c-11", "refunded", 1),
        ("O13", "c-13", "placed", 4),
        ("O5", "c-5", "paid", 1),              # line 10 left the order columns empty: line 8's details
        ("O6", "c-6", "paid", 1),
        ("O7", hashlib.sha256(b"jane.doe@example.com").hexdigest(), "paid", 1),
    ]
    assert project.query(
        "select order_id, line_item_key, categories, _line_number from fct_order_line_items "
        "where retailer = 'kevelbad' order by _line_number") == [
        ("O1", "O1-a", ["Men", "Shirts"], 2), ("O1", "O1-b", ["Men", "Shirts"], 3), ("O6", "#1", ["Men", "Shirts"], 9),
        ("O5", "O5-b", ["Men", "Shirts"], 10), ("O7", "#1", ["Men", "Shirts"], 11),
        ("O10", "a", ["Men", "Shirts"], 15), ("O10", "b", ["Men", "Shirts"], 16),
        ("O11", "a", ["Men", "Shirts"], 17), ("O11", "b", ["Men", "Shirts"], 18),
        ("O13", "a", ["Men", "Shirts"], 20), ("O13", "b", ["Men", "Shirts"], 21),
    ]
    assert sorted(r[0] for r in project.query(
        "select order_id from fct_order_events where retailer = 'kevelbad'")) == \
        ["O1", "O10", "O11", "O13", "O5", "O6", "O7"]
    # custom_<name> columns, whatever their header text, keyed without the prefix
    ((fields,),) = project.query("select custom_fields from fct_orders where retailer = 'kevelbad' and order_id = 'O1'")
    assert json.loads(fields) == {"gift wrap": "yes", 'a "quoted"; name': "q", "ünïcode": "ü",
                                  "x'); drop table y; --": "z"}


def test_a_kevel_header_in_another_case_is_refused_naming_the_column(built):
    project, _, kevel, _, _ = built
    upper = project.data / "kevelcase" / "orders_upper.csv"
    upper.parent.mkdir()
    lines = kevel.read_text(encoding="utf-8").splitlines()
    upper.write_text("\n".join([lines[0].replace("orderId", "OrderId"), *lines[1:3]]) + "\n", encoding="utf-8")
    project.add_retailer("kevelcase", "orders", "kevel_orders_csv", upper.parent / "*.csv")
    result = project.cli("land", "kevelcase")
    assert result.code == 1 and "Traceback" not in result.err
    assert (f"{upper.relative_to(project.root)}:1: missing required column(s) orderId (format kevel_orders_csv); "
            "the header has OrderId: keys are case sensitive") in result.err
    assert project.query("select status from loader.files where retailer = 'kevelcase'") == [("failed",)]


def test_users_take_their_id_from_flags_and_transformations_run_in_command_line_order(built):
    project, _, _, _, _ = built
    users = {r[0]: (r[1], json.loads(r[2])) for r in project.query(
        "select user_id, user_id_type, attributes from dim_users where retailer = 'crmco'")}
    ann, bob = (hashlib.sha256(e.strip().lower().encode()).hexdigest() for e in ("Ann@Example.com", "bob@example.com"))
    assert set(users) == {ann, bob}
    assert {t for t, _ in users.values()} == {"email_sha256"}
    # the copy ran before the rename: tier_copy holds the delivered tier; the number 1 matches no text
    # mapping "1" -> "one" and stays a number, the text "1" is mapped
    assert users[ann][1] == {"tier_copy": 1, "tier_label": 1, "plan": "gold"}
    assert users[bob][1] == {"tier_copy": "1", "tier_label": "one", "plan": "silver"}


def test_no_plaintext_email_past_the_raw_tables(built):
    project, _, _, _, _ = built
    relations = project.query(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where table_schema not like 'raw_%' and table_schema <> 'loader' "
        "and (data_type = 'VARCHAR' or data_type like 'VARCHAR[]')")
    assert any(r[1] == "fct_orders" for r in relations)
    found = []
    # CRM users included: their e-mail ids are hashed at landing (loaders/pii.py)
    for schema, table, column in relations:
        hits = project.query(
            f'select count(*) from "{schema}"."{table}" '
            f"where regexp_matches(cast(\"{column}\" as varchar), '[^@\\s]+@[^@\\s]+\\.[a-z]{{2,}}')")
        if hits[0][0]:
            found.append((table, column, hits[0][0]))
    assert found == []
    # the delivered export does hold them (the test above can fail); the loader hashed them as they landed
    assert any("@" in o["head"]["Email"] for o in _shopify(FOREZIA).values())
    assert project.query("select count(*) from raw_forezia.orders where \"Email\" like '%@%'")[0][0] == 0


def test_the_report_counts_items_and_shares_of_this_imports_items(built):
    _, _, _, taxinc, report = built
    files = {f["source"]: f for f in report["files"]}
    # spec 003: "File Items Count" is the number of items (orders here, one row per line item)
    for source, path in (("forezia.orders", FOREZIA), ("rieker.orders", RIEKER), ("taxinc.orders", taxinc)):
        entry = files[source]
        assert entry["item_field"] == "Name"
        assert entry["items"] == len(_shopify(path)) + entry["rows_rejected"] < entry["rows_read"], source
    assert files["kevelbad.orders"]["item_field"] == "orderId"
    assert report["records"]["items"] == sum(f["items"] for f in report["files"] if f["landed"])
    # every issue is about this import's sources, and a share of their records
    assert report["issues"] and all(0 <= i["percent"] <= 100 for i in report["issues"]), report["issues"]
    assert {i["source"] for i in report["issues"]} <= set(files)
    # dbt tests are about whole tables: apart, with what to run, never dbt's own words
    assert {t["test"] for t in report["tests"]} >= {"no_rejected_rows", "not_null"}
    assert all("--store-failures" in t["hint"] and "Got " not in t["hint"] for t in report["tests"])


@pytest.fixture(scope="module")
def nothing_new(built):
    """A dry run right after the import: every file is unchanged, nothing would change."""
    project = built[0]
    result = project.cli("dry-run", "--report-dir", str(project.root / "nothing-new"))
    [path] = (project.root / "nothing-new").glob("*-dry-run.json")
    return result, json.loads(path.read_text(encoding="utf-8"))


def test_a_dry_run_with_nothing_new_reports_no_change_anywhere(nothing_new):
    result, report = nothing_new
    # every file unchanged, but the one whose header is refused: it fails again, as at the import
    assert {(f["source"], f["status"]) for f in report["files"] if f["status"] != "unchanged"} == \
        {("kevelcase.orders", "failed")}
    overview = {m["model"]: m for m in report["overview"]}
    # the order marts compared by a key that tells one row (an event, an event's line item), not by order
    assert overview["fct_order_events"]["key"] == ["event_key"]
    assert overview["fct_order_event_line_items"]["key"] == ["event_line_item_key"]
    assert {"fct_orders", "fct_order_line_items", "fct_order_events", "fct_order_event_line_items",
            "fct_order_event_changes", "dim_users"} <= set(overview)
    changed = {name: (m["added"], m["updated"], m["removed"]) for name, m in overview.items()
               if (m["added"], m["updated"], m["removed"]) != (0, 0, 0)}
    assert changed == {}
    # rows of this import: none (a model that keeps no load id cannot tell, and says so with None)
    assert {m["valid"] for m in overview.values()} == {0, None}
    assert overview["fct_orders"]["rows_after"] > 0 and overview["fct_orders"]["unchanged"] == 0
    assert report["order_events"]["counts"] == {}
    assert report["records"] == {"read": 0, "items": 0, "valid": 0, "rejected": 0}
    assert [i for i in report["issues"] if i["level"] == "error"] == []
    assert result.code == 1 and report["outcome"] == "failed"    # that file
