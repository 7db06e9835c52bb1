"""discover sniffs a sample file and proposes the add-retailer command that onboards it."""

from __future__ import annotations

import gzip
import re
import shlex
import zipfile

import pytest

from conftest import REALDATA, ROOT, run_cli

SPECS = ROOT.parent / "shared" / "vendor-specs"


def test_discover_proposes_format_location_and_custom_timestamp(tmp_path):
    sample = tmp_path / "northwind_orders_20210704.csv"
    sample.write_bytes(
        "orderId;userIdType;userId;currency;total;createdAt;lineItem_status\n"
        "N1;crm_id;c-1;EUR;60,00;21/01/2021 14:25;1\n"
        "N2;crm_id;Zoë;EUR;12,50;01/07/2021 09:05;2\n".encode("cp1252"))
    result = run_cli("discover", str(sample), "--retailer", "northwind", "--dataset", "orders",
                     "--folder", "drop/northwind", cwd=ROOT)
    assert result.code == 0, result.err
    out = result.out
    assert "delimiter ';'" in out and "header: yes" in out
    assert "date in the name: 20210704 (%Y%m%d)" in out
    assert "closest format: kevel_orders_csv" in out
    assert "timestamp field createdAt looks like dd/MM/yyyy HH:mm" in out
    assert "required fields the file lacks: subtotal" in out
    assert "file: {delimiters: [';']}" in out      # kevel files are comma-separated
    proposed = shlex.split(out.split("proposed:")[1])
    assert proposed[:4] == ["retail-imports", "add-retailer", "northwind", "--dataset"]
    assert proposed[4] == "orders:kevel_orders_csv:drop/northwind/northwind_orders_*.csv"
    # not UTF-8: each file's encoding is detected when landing, as discover just did
    assert proposed[5:] == ["--option", "orders:encoding=auto", "--timestamp", "orders:createdAt:dd/MM/yyyy HH:mm"]


def test_discover_real_shopify_export_and_headerless_file(tmp_path):
    shopify = REALDATA / "shopify-devstore-forezia" / "orders_export.csv"
    result = run_cli("discover", str(shopify), cwd=ROOT)
    assert result.code == 0, result.err
    assert "closest format: shopify_orders_csv" in result.out and "delimiter ','" in result.out

    headerless = tmp_path / "plain.csv"
    headerless.write_text("1,2021-01-01,3.5\n2,2021-01-02,4.0\n")
    result = run_cli("discover", str(headerless), cwd=ROOT)
    assert result.code == 0, result.err
    assert "header: no" in result.out and "generic_csv" in result.out

    empty = tmp_path / "empty.csv"
    empty.write_text("")
    result = run_cli("discover", str(empty), cwd=ROOT)
    assert result.code == 1 and "the sample is empty" in result.err and "Traceback" not in result.err


# --- each seed's own examples (issue 22.8), read by the landing code itself --------------------------------------

OFFLINE_ROWS = ["2024-06-01 12:25:43;c-1;7;CAT1;P100;2;39.80;Paris;;;;;;;;;;;;;;;R-1",
                "2024-06-01 13:00:00;c-2;7;;P200;1;10.00;Lyon;;;;;;;;;;;;;;;R-2;gift"]
# spec 004's field names, as a retailer would write them in the optional header
OFFLINE_HEADER = ("Time Stamp;Customer ID;Event Type;Category;Event Name;Num1;Num2;Var 1;Var 2;Var 3;Var 4;Var 5;"
                  + ";".join(f"EventName Attr{n}" for n in range(1, 11)) + ";EventTransaction Attr1")


def _vendor_json_rows() -> str:
    text = next(SPECS.glob("002_*.txt")).read_text(encoding="utf-8")
    return next(line for line in text.split("Example of a valid row file:", 1)[1].splitlines() if line.strip())


def _zip(path, member: str, text: str):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(member, text)


SAMPLES = {
    # name: (writer, the format, the delimiter landing must detect, header, records)
    "conversion-export-2020-09-22.csv": (
        lambda p: p.write_bytes((REALDATA / "botify-conversion-doc-example" / p.name).read_bytes()),
        "botify_conversions", ", ", False, 3),
    "conversion-export-2020-09-23.tsv": (
        lambda p: p.write_text("https://a.tld/\t2020-09-23\torganic\t1\t10.0\n"
                               "https://a.tld/b\t2020-09-23\tsocial\t2\t20.5\n"),
        "botify_conversions", "\t", False, 2),
    "conversion-export-2020-09-24.csv": (
        lambda p: p.write_text("https://a.tld/;2020-09-24;organic;1;10.0\n"), "botify_conversions", ";", False, 1),
    "conversion-export-2020-09-25.txt": (
        lambda p: p.write_text("https://a.tld/|2020-09-25|organic|1|10.0\n"), "botify_conversions", "|", False, 1),
    "conversion-export-2020-09-22.json": (
        lambda p: p.write_text(_vendor_json_rows() + "\n"), "botify_conversions", "json_lines", None, 3),
    "store_purchases_20240601.csv": (
        lambda p: p.write_text("\n".join(OFFLINE_ROWS) + "\n"), "related_digital_offline_csv", ";", False, 2),
    "store_purchases_20240602.csv": (
        lambda p: p.write_text("\n".join([OFFLINE_HEADER, *OFFLINE_ROWS]) + "\n"),
        "related_digital_offline_csv", ";", True, 2),
    "store_purchases_20240603.zip": (
        lambda p: _zip(p, "store_purchases_20240603.csv", "\n".join(OFFLINE_ROWS) + "\n"),
        "related_digital_offline_csv", ";", False, 2),
    "acme_visits_20240601.csv": (
        lambda p: p.write_text("event_id,event_time,visitor_id,crm_id,session_id,url,referrer\n"
                               "e1,2024-06-01T10:00:00Z,v1,,s1,https://a.tld/,\n"),
        "symbiosys_visits_csv", ",", True, 1),
}


@pytest.mark.parametrize("name", list(SAMPLES))
def test_discover_proposes_the_seed_format_and_land_reads_the_sample_as_it_said(mini, name):
    write, expected, delimiter, header, records = SAMPLES[name]
    sample = mini.data / name
    write(sample)

    found = mini.cli("discover", str(sample), "--retailer", "shop", "--dataset", "d", "--folder", str(mini.data))

    assert found.code == 0, found.err
    assert f"closest format: {expected}" in found.out, found.out
    layout = "JSON lines" if delimiter == "json_lines" else f"delimiter {delimiter!r}"
    assert f"{layout}; header: {'yes' if header else 'no'}" in found.out, found.out
    (command,) = [line.strip() for line in found.out.splitlines() if line.strip().startswith("retail-imports")]
    fmt, location = re.search(r"d:(\w+):(\S+?)'?(\s|$)", command).group(1, 2)
    assert fmt == expected

    # landing with the proposal detects the same delimiter and header, and reads every record
    mini.declare("shop", {"d": (fmt, location.removeprefix(str(mini.data) + "/"))})
    landed = mini.cli("land")
    assert landed.code == 0, landed.err
    ((read, landed_rows, rejected, found_delimiter, note),) = mini.query(
        "select rows_read, rows_landed, rows_rejected, delimiter, message from loader.files")
    assert (read, landed_rows, rejected, found_delimiter) == (records, records, 0, delimiter)
    assert ("read as a header" in (note or "")) == bool(header and fmt == "related_digital_offline_csv")
def test_discover_names_what_an_export_omits_and_keys_in_another_case(tmp_path):
    trimmed = REALDATA / "shopify-realstore-rieker-ca" / "orders_export_1.csv"
    result = run_cli("discover", str(trimmed), "--dataset", "orders", cwd=ROOT)
    assert result.code == 0, result.err
    omitted = "Id, Email, Total, Subtotal, Taxes, Shipping, Lineitem price, Lineitem discount"
    assert f"required fields the file lacks: {omitted}" in result.out
    assert f"--option orders:optional_columns='[{omitted}]'" in result.out

    upper = tmp_path / "shop_orders_20240601.csv"
    header = "OrderId,userIdType,userId,currency,total,subtotal,tax,shipping,createdAt,lineItem_sku,lineItem_status"
    upper.write_text(header + "\nO1,crm_id,c-1,EUR,1,1,0,0,2024-06-01T10:00:00Z,s1,paid\n")
    result = run_cli("discover", str(upper), cwd=ROOT)
    assert result.code == 0, result.err
    assert "closest format: kevel_orders_csv" in result.out
    assert "note: field 'OrderId' is not 'orderId': keys are case sensitive" in result.out


def test_discover_reads_the_encoding_of_a_gzip_sample_unpacked_and_masks_the_words_it_quotes(tmp_path):
    """Landing detects the encoding of the unpacked file; discover must say what landing will do. A doubt
    quotes a word of the sample: for a format with names (Shopify orders) the word is withheld."""
    sample = tmp_path / "orders_export.csv.gz"
    sample.write_bytes(gzip.compress(
        ("Name,Currency,Financial Status,Created at,Lineitem quantity,Lineitem name,Lineitem fulfillment status,"
         "Email,Billing Name\n#1001,EUR,paid,2025-05-11 09:55:16 -0400,1,Ski Wax,fulfilled,a@b.io,Jana Plzeň\n"
         ).encode("cp1250")))
    result = run_cli("discover", str(sample), cwd=ROOT)
    assert result.code == 0, result.err
    assert "encoding: cp1252;" in result.out and "closest format: shopify_orders_csv" in result.out
    assert "encoding cp1252 is a guess: read as cp1250" in result.out and "'<withheld>'" in result.out
    assert "Plze" not in result.out
