"""Order formats at landing: columns by header name, required columns, per-source options."""

from __future__ import annotations

KEVEL_REQUIRED = ("orderId,userIdType,userId,currency,total,subtotal,tax,shipping,discount,refund,createdAt,"
                  "lineItem_productId,lineItem_sku,lineItem_currency,lineItem_total,lineItem_subtotal,lineItem_tax,"
                  "lineItem_shipping,lineItem_discount,lineItem_refund,lineItem_quantity,lineItem_status")


def test_kevel_file_without_required_columns_fails_naming_them(mini):
    mini.declare("shop", {"orders": ("kevel_orders_csv", "orders/*.csv")})
    header = KEVEL_REQUIRED.replace("userId,", "").replace(",lineItem_status", "")
    mini.write("orders/bad.csv", header + "\n" + ",".join("x" for _ in header.split(",")) + "\n")
    mini.write("orders/good.csv", KEVEL_REQUIRED + ",custom_Gift Wrap\n" + ",".join("x" for _ in range(23)) + "\n")

    result = mini.cli("land")
    assert result.code == 1
    assert "Traceback" not in result.err
    assert "drop/orders/bad.csv:1: missing required column(s) userId, lineItem_status (format kevel_orders_csv)" \
        in result.err
    assert mini.query("select file_name, status, message from loader.files order by 1") == [
        ("drop/orders/bad.csv", "failed", "missing required column(s) userId, lineItem_status (format kevel_orders_csv)"),
        ("drop/orders/good.csv", "landed", None),
    ]
    # the good file landed; its custom column kept its header text exactly
    assert mini.query('select "custom_Gift Wrap", _line_number from raw_shop.orders') == [("x", 2)]


def test_shopify_columns_are_matched_by_name_in_any_order_and_number(mini):
    mini.declare("shop", {"orders": ("shopify_orders_csv", "*.csv")})
    # a trimmed export: 9 columns, in an order of its own, none of the amounts
    mini.write("orders_export.csv", """
        Lineitem name,Name,Created at,Currency,Financial Status,Lineitem quantity,Lineitem fulfillment status,Vendor,Tags
        Shirt,#1,2024-06-01 10:00:00 -0400,CAD,paid,1,fulfilled,Acme,
        Scarf,#1,2024-06-01 10:00:00 -0400,,,2,pending,Acme,
        """)
    assert mini.cli("land").code == 0
    assert mini.query('select "Name", "Lineitem name", "Tags" from raw_shop.orders order by _line_number') == [
        ("#1", "Shirt", None), ("#1", "Scarf", None)]


def test_shopify_order_id_column_is_a_source_option(mini):
    mini.declare("shop", {"orders": ("shopify_orders_csv", "*.csv")}, extra={"order_id_column": "Id"})
    mini.write("orders_export.csv", """
        Name,Created at,Currency,Financial Status,Lineitem quantity,Lineitem name,Lineitem fulfillment status
        #1,2024-06-01 10:00:00 -0400,CAD,paid,1,Shirt,fulfilled
        """)
    result = mini.cli("land")
    assert result.code == 1
    assert "missing required column(s) Id (format shopify_orders_csv)" in result.err

    mini.declare("shop", {"orders": ("shopify_orders_csv", "*.csv")}, extra={"order_id_column": "Number"})
    result = mini.cli("land")
    assert result.code == 1 and "Traceback" not in result.err
    assert "meta.loader.order_id_column is 'Number'; format shopify_orders_csv accepts Name or Id" in result.err
