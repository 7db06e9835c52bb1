"""Landing the conversion (002), offline (004), CRM users and product feed (003) formats.

Through the real CLI into a real DuckDB file. Expected values are computed
here from the bytes we write (or, for real files, with Python's csv module),
never read back from the loader.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from pathlib import Path

import pytest

CONVERSION_EXAMPLE = "botify-conversion-doc-example/conversion-export-2020-09-22.csv"


def _raw(mini, table: str, columns: str, order: str = "_source_file, _line_number") -> list[tuple]:
    return mini.query(f"select {columns} from {table} order by {order}")


def _files(mini) -> list[tuple]:
    return mini.query("select file_name, status, rows_read, rows_landed, rows_rejected, delimiter, message "
                      "from loader.files order by file_name")


# --- daily conversions (vendor spec 002) -------------------------------------------------------


def test_the_vendors_own_conversion_example_lands_as_is(mini, realdata):
    original = realdata / CONVERSION_EXAMPLE
    mini.declare("shop", {"conversions": ("botify_conversions", "*")})
    shutil.copy(original, mini.data / original.name)

    result = mini.cli("land")

    assert result.code == 0, result.err
    expected = [tuple(line.split(", ")) for line in original.read_text().splitlines()]
    assert len(expected) == 3 and all(len(row) == 5 for row in expected)
    assert _raw(mini, "raw_shop.conversions", "url, date, channel, transactions, revenue") == expected
    assert [r[1:6] for r in _files(mini)] == [("landed", 3, 3, 0, ", ")]
    assert mini.query("select distinct _file_date::varchar from raw_shop.conversions") == [("2020-09-22",)]


@pytest.mark.parametrize("separator", [",", "\t", ";", "|", ", "], ids=["comma", "tab", "semicolon", "pipe", "comma-space"])
def test_conversion_csv_takes_any_separator(mini, separator):
    rows = [["https://a.tld/", "2024-06-01", "organic", "3", "30.5"], ["https://a.tld/b", "2024-06-01", "social", "1", "9"]]
    mini.declare("shop", {"conversions": ("botify_conversions", "*")})
    mini.write("conversion-export-2024-06-01.csv", "".join(separator.join(r) + "\n" for r in rows))

    assert mini.cli("land").code == 0
    assert _raw(mini, "raw_shop.conversions", "url, date, channel, transactions, revenue") == [tuple(r) for r in rows]
    assert _files(mini)[0][5] == separator


def test_conversion_source_lists_the_fields_its_files_hold(mini):
    mini.declare("shop", {"conversions": ("botify_conversions", "*")},
                 extra={"file": "{columns: [url, date, channel, device, transactions, revenue]}"})
    mini.write("conversion-export-2024-06-01.csv", "https://a.tld/;2024-06-01;organic;mobile;2;20\n")

    assert mini.cli("land").code == 0
    assert _raw(mini, "raw_shop.conversions", "url, channel, device, transactions, revenue") == [
        ("https://a.tld/", "organic", "mobile", "2", "20")
    ]


def test_conversion_json_rows_land_and_bad_lines_are_rejected_with_their_line(mini):
    lines = [
        "[",                                                                                   # 1 array start
        '{"url": "https://a.tld/", "date": "2024-06-01", "channel": "organic", "transactions": 1, "revenue": 10.0},',
        "{'url': 'https://a.tld/p', 'date': '2024-06-01', 'channel': 'social', 'transactions': 2, 'revenue': 20.0},",
        "",                                                                                    # 4 blank
        '{"url": "a.tld/q", "date": "2024-06-01", "transactions": "3", "extra": {"k": [1, 2]}}',
        "not json at all",                                                                     # 6
        "[1, 2]",                                                                              # 7
        '{"url": "https://a.tld/r", "date": "2024-06-01"}]',
    ]
    mini.declare("shop", {"conversions": ("botify_conversions", "*")})
    path = mini.write("conversion-export-2024-06-01.jsonl", "\n".join(lines) + "\n")
    with open(path, "ab") as handle:
        handle.write(b'{"url": "https://a.tld/\xff", "date": "2024-06-01"}\n')           # 9 not UTF-8

    result = mini.cli("land")

    assert result.code == 0, result.err
    landed = _raw(mini, "raw_shop.conversions", "_line_number, url, channel, transactions, revenue, extra")
    assert landed == [
        (2, "https://a.tld/", "organic", "1", "10.0", None),
        (3, "https://a.tld/p", "social", "2", "20.0", None),
        (5, "a.tld/q", None, "3", None, '{"k":[1,2]}'),
        (8, "https://a.tld/r", None, None, None, None),
    ]
    rejects = mini.query("select line_number, error_type, reason from loader.rejects order by 1")
    assert rejects == [
        (6, "INVALID JSON", "not valid JSON5 from character 1: Expected 'u', found 'o'"),
        (7, "NOT AN OBJECT", "a JSON array, not an object (one object per line expected)"),
        (9, "INVALID ENCODING", "bytes that are not valid UTF-8 (set the source's encoding)"),
    ]
    ((read, landed_count, rejected, delimiter, message),) = [r[2:] for r in _files(mini)]
    assert (read, landed_count, rejected, delimiter) == (7, 4, 3, "json_lines")
    assert message == "3 lines read as JSON5 rows"   # lines 2, 3 and 8: a comma or bracket after, single quotes
    # the record keeps JSON types: 1 and "3" are told apart
    records = dict(mini.query("select _line_number, _record from raw_shop.conversions"))
    assert json.loads(records[2])["transactions"] == 1 and json.loads(records[5])["transactions"] == "3"


def test_conversion_file_mixing_dates_fails_naming_file_date_and_rows(mini):
    mini.declare("shop", {"conversions": ("botify_conversions", "*")})
    good = mini.write("conversion-export-2024-06-01.csv",
                      "https://a.tld/, 2024-06-01, organic, 1, 1\n")
    bad = mini.write("conversion-export-2024-06-02.csv",
                     "https://a.tld/, 2024-06-02, organic, 1, 1\n"
                     "https://a.tld/b, 2024-06-03, organic, 1, 1\n"
                     "https://a.tld/c, 20240602, organic, 1, 1\n"
                     "https://a.tld/d, 2024-06-01, organic, 1, 1\n")

    result = mini.cli("land")

    assert result.code == 1
    message = " ".join(result.err.split())
    assert bad.relative_to(mini.root).as_posix() + ":" in message and "2024-06-02" in message
    assert "2 rows are not: line 2 (2024-06-03), line 4 (2024-06-01)" in message
    assert "Traceback" not in result.err
    # nothing of the bad file landed (the malformed 20240602 is staging's business, not a date mismatch)
    assert mini.query("select distinct _source_file from raw_shop.conversions") == [(good.relative_to(mini.root).as_posix(),)]
    assert mini.query("select count(*) from loader.rejects") == [(0,)]
    statuses = {Path(r[0]).name: (r[1], r[6]) for r in _files(mini)}
    assert statuses[good.name] == ("landed", None)
    assert statuses[bad.name][0] == "failed" and "line 2 (2024-06-03)" in statuses[bad.name][1]

    # the retailer re-delivers it corrected: it lands on the next run
    bad.write_text("https://a.tld/, 2024-06-02, organic, 1, 1\nhttps://a.tld/b, 2024-06-02, organic, 1, 1\n")
    assert mini.cli("land").code == 0
    assert mini.query("select count(*) from raw_shop.conversions where _file_date = '2024-06-02'") == [(2,)]


@pytest.mark.parametrize("name, problem", [
    ("conversions.csv", "file name has no date"),
    ("conversion-2024-06-01-to-2024-06-02.csv", "more than one date"),
])
def test_conversion_file_name_must_hold_one_date(mini, name, problem):
    mini.declare("shop", {"conversions": ("botify_conversions", "*")})
    mini.write(name, "https://a.tld/, 2024-06-01, organic, 1, 1\n")
    result = mini.cli("land")
    assert result.code == 1 and problem in " ".join(result.err.split())


# --- offline data (vendor spec 004) ------------------------------------------------------------

FIXED = ["2024-06-01 10:00:00", "C1", "7", "shoes", "P-100", "2", "59.80", "Lyon", "", "", "", "",
         "", "", "", "", "", "", "", "", "", ""]
HEADER = ["Time Stamp", "Customer ID", "Event Type", "Category", "Event Name", "Num1", "Num2",
          *(f"Var {i}" for i in range(1, 6)), *(f"EventName Attr{i}" for i in range(1, 11))]


def _offline(rows: list[list[str]]) -> str:
    """Rows as the vendor asks: ";" separated, values holding ; or " quoted with "" inside."""
    out = io.StringIO()
    csv.writer(out, delimiter=";", quotechar='"', lineterminator="\n").writerows(rows)
    return out.getvalue()


def test_offline_header_is_optional_and_detected(mini):
    mini.declare("shop", {"store": ("related_digital_offline_csv", "*")})
    mini.write("with_header.csv", _offline([HEADER, FIXED, FIXED[:1] + ["C2"] + FIXED[2:]]))
    mini.write("without_header.csv", _offline([FIXED, FIXED[:1] + ["C3"] + FIXED[2:]]))

    assert mini.cli("land").code == 0

    assert _raw(mini, "raw_shop.store", "_source_file, _line_number, customer_id") == [
        ("drop/with_header.csv", 2, "C1"), ("drop/with_header.csv", 3, "C2"),
        ("drop/without_header.csv", 1, "C1"), ("drop/without_header.csv", 2, "C3"),
    ]
    notes = {Path(r[0]).name: r[6] for r in _files(mini)}
    assert notes["with_header.csv"].startswith("line 1 read as a header: Time Stamp;Customer ID")
    assert notes["without_header.csv"] is None


def test_offline_first_row_with_a_broken_timestamp_is_data_not_a_header(mini):
    mini.declare("shop", {"store": ("related_digital_offline_csv", "*")})
    mini.write("store.csv", _offline([["01/06/2024 10:00"] + FIXED[1:], FIXED]))
    assert mini.cli("land").code == 0
    assert _raw(mini, "raw_shop.store", "_line_number, time_stamp") == [(1, "01/06/2024 10:00"), (2, FIXED[0])]


def test_offline_file_keeps_all_thirty_trailing_transaction_attributes(mini):
    thirty = [f"T{i}" for i in range(1, 31)]
    mini.declare("shop", {"store": ("related_digital_offline_csv", "*")})
    mini.write("store.csv", _offline([
        FIXED + thirty,
        FIXED + ["R-2", "", "a;b", 'say "hi"'],      # an empty one kept as '', quoted ; and ""
        FIXED,                                        # no transaction attribute at all
    ]))

    assert mini.cli("land").code == 0

    attributes = [c for (c,) in mini.query(
        "select column_name from information_schema.columns where table_name = 'store' "
        "and column_name like 'transaction_attr_%' order by ordinal_position")]
    assert attributes == [f"transaction_attr_{i}" for i in range(1, 31)]
    rows = mini.query(f"select {', '.join(attributes)} from raw_shop.store order by _line_number")
    assert list(rows[0]) == thirty
    assert list(rows[1][:4]) == ["R-2", "", "a;b", 'say "hi"'] and set(rows[1][4:]) == {None}
    assert set(rows[2]) == {None}
    assert [r[2:5] for r in _files(mini)] == [(3, 3, 0)]


def _uci_as_offline(source: Path, target: Path) -> list[dict]:
    """The UCI Online Retail transactions written as offline store purchases (spec 004)."""
    from datetime import datetime

    records = []
    with open(source, encoding="utf-8", newline="") as handle, open(target, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";", quotechar='"', lineterminator="\n")
        for row in csv.DictReader(handle):
            when = datetime.strptime(row["InvoiceDate"], "%m/%d/%y %H:%M") if "/" in row["InvoiceDate"] else \
                datetime.strptime(row["InvoiceDate"], "%Y-%m-%d %H:%M:%S")
            customer = row["CustomerID"].removesuffix(".0")
            total = f"{float(row['Quantity']) * float(row['UnitPrice']):.2f}"
            writer.writerow([when.strftime("%Y-%m-%d %H:%M:%S"), customer, "7", "", row["StockCode"],
                             row["Quantity"], total, row["Country"], "", "", "", "", row["Description"]]
                            + [""] * 9 + [row["InvoiceNo"]])
            records.append({"customer": customer, "invoice": row["InvoiceNo"], "total": total})
    return records


def test_uci_online_retail_lands_as_offline_store_purchases(mini, realdata):
    mini.declare("shop", {"store": ("related_digital_offline_csv", "*")})
    records = _uci_as_offline(realdata / "uci-online-retail" / "OnlineRetail_sample30k_linumolk.csv",
                              mini.data / "uci_store.csv")

    assert mini.cli("land").code == 0

    ((read, landed, rejected),) = [r[2:5] for r in _files(mini)]
    assert (read, landed, rejected) == (len(records), len(records), 0)
    assert mini.query("select count(*), count(distinct transaction_attr_1) from raw_shop.store") == [
        (len(records), len({r["invoice"] for r in records}))
    ]
    assert mini.query("select count(*) from raw_shop.store where customer_id = ''") == [
        (sum(1 for r in records if not r["customer"]),)
    ]


# --- CRM users and product feeds (vendor spec 003) ---------------------------------------------


def test_users_from_csv_and_json_lines_land_in_one_table(mini):
    mini.declare("shop", {"users": ("kevel_users", "*")}, extra={"columns": "{user_id: {source: email}}"})
    mini.write("users_1.csv", "email,city,orders\nana@x.tld,Lyon,3\n")
    mini.write("users_2.jsonl", '{"email": "ana@x.tld", "orders": 4, "vip": true}\n')

    assert mini.cli("land").code == 0
    ana = hashlib.sha256(b"ana@x.tld").hexdigest()   # the user id is an e-mail: hashed at landing
    assert _raw(mini, "raw_shop.users", "email, city, orders, vip, _record ->> 'email'") == [
        (ana, "Lyon", "3", None, None),
        (ana, None, "4", "true", ana),
    ]


def _csv_records(path: Path, delimiter: str) -> int:
    with open(path, encoding="utf-8", newline="") as handle:
        return sum(1 for row in csv.reader(handle, delimiter=delimiter) if row) - 1


@pytest.mark.parametrize("relative, fmt, extra, delimiter", [
    ("shopify-realstore-rieker-ca/products_export_1.csv", "shopify_products_csv", {}, ","),
    ("merchant-feed-emirates-gifts/google_merchant_feed_en.tsv", "merchant_product_feed", {}, "\t"),
    ("merchant-feed-emirates-gifts/merchant-feed-ar.csv", "merchant_product_feed",
     {"columns": "{image_url: {source: Image}, product_url: {source: URL}}"}, ","),
], ids=["shopify-products", "google-merchant-tsv", "arabic-csv"])
def test_real_product_feeds_land_every_record(mini, realdata, relative, fmt, extra, delimiter):
    original = realdata / relative
    mini.declare("shop", {"products": (fmt, "*")}, extra=extra)
    shutil.copy(original, mini.data / original.name)

    result = mini.cli("land")

    assert result.code == 0, result.err
    ((read, landed, rejected, found_delimiter),) = [r[2:6] for r in _files(mini)]
    assert (read, landed, rejected, found_delimiter) == (_csv_records(original, delimiter),) * 2 + (0, delimiter)


def test_unknown_column_in_a_sources_options_is_a_clear_error(mini):
    mini.declare("shop", {"conversions": ("botify_conversions", "*")}, extra={"defaults": "{chanel: organic}"})
    result = mini.cli("land")
    assert result.code == 1
    message = " ".join(result.err.split())
    assert "no column chanel in format botify_conversions" in message and "Traceback" not in result.err
