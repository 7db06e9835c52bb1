"""discover sniffs a sample file and proposes the add-retailer command that onboards it."""

from __future__ import annotations

import gzip
import shlex

from conftest import REALDATA, ROOT, run_cli


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
    assert proposed[5:] == ["--timestamp", "orders:createdAt:dd/MM/yyyy HH:mm"]


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
