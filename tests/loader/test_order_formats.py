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


def test_kevel_keys_are_case_sensitive(mini):
    """Spec 003: "The fields have the correct keys (case sensitive)": OrderId is not orderId."""
    mini.declare("shop", {"orders": ("kevel_orders_csv", "orders/*.csv")})
    mini.write("orders/upper.csv", KEVEL_REQUIRED.replace("orderId", "OrderId") + "\n" + ",".join("x" for _ in range(22)) + "\n")
    # an optional field in another case lands, under a name of its own, and is not read as paymentMethod
    mini.write("orders/optional.csv", KEVEL_REQUIRED + ",PaymentMethod\n" + ",".join("x" for _ in range(22)) + ",Visa\n")

    result = mini.cli("land")
    assert result.code == 1 and "Traceback" not in result.err
    assert ("drop/orders/upper.csv:1: missing required column(s) orderId (format kevel_orders_csv); the header has "
            "OrderId: keys are case sensitive") in result.err
    assert ("warning drop/orders/optional.csv: field 'PaymentMethod' is not 'paymentMethod' (keys are case "
            "sensitive): kept, not read as paymentMethod") in result.err
    assert mini.query('select "paymentMethod", "PaymentMethod_2" from raw_shop.orders') == [(None, "Visa")]
    assert mini.query("select file_name, status from loader.files order by 1") == [
        ("drop/orders/optional.csv", "landed"), ("drop/orders/upper.csv", "failed")]


# A trimmed export in the shape of the real Rieker one: no Email, Id, amounts or line prices.
TRIMMED = """
    Lineitem name,Name,Created at,Currency,Financial Status,Lineitem quantity,Lineitem fulfillment status,Vendor,Tags,Refunded Amount,Discount Amount,Lineitem sku
    Shirt,#1,2024-06-01 10:00:00 -0400,CAD,paid,1,fulfilled,Acme,,0,0,S-1
    Scarf,#1,2024-06-01 10:00:00 -0400,,,2,pending,Acme,,,,S-2
    """
OMITTED = ["Email", "Id", "Total", "Subtotal", "Taxes", "Shipping", "Lineitem price", "Lineitem discount"]


def test_shopify_export_without_required_columns_is_refused_naming_them(mini):
    mini.declare("shop", {"orders": ("shopify_orders_csv", "*.csv")})
    mini.write("orders_export.csv", TRIMMED)
    result = mini.cli("land")
    assert result.code == 1 and "Traceback" not in result.err
    assert ("drop/orders_export.csv:1: missing required column(s) Id, Email, Total, Subtotal, Taxes, Shipping, "
            "Lineitem price, Lineitem discount (format shopify_orders_csv)") in result.err


def test_a_source_may_accept_a_trimmed_export_and_is_warned_at_every_land(mini):
    mini.declare("shop", {"orders": ("shopify_orders_csv", "*.csv")},
                 extra={"optional_columns": "[" + ", ".join(OMITTED) + "]"})
    mini.write("orders_export.csv", TRIMMED)
    warning = ("warning shop.orders: vendor-required field(s) Email, Id, Total, Subtotal, Taxes, Shipping, Lineitem "
               "price, Lineitem discount optional for this source (meta.loader.optional_columns)")
    first = mini.cli("land")
    assert first.code == 0, first.err
    assert warning in first.err
    # columns are matched by name in any order and number
    assert mini.query('select "Name", "Lineitem name", "Tags" from raw_shop.orders order by _line_number') == [
        ("#1", "Shirt", None), ("#1", "Scarf", None)]
    again = mini.cli("land")
    assert again.code == 0 and warning in again.err and "0 landed, 1 unchanged" in again.err


def test_optional_columns_name_only_required_fields_and_never_the_order_key(mini):
    mini.write("orders_export.csv", TRIMMED)
    for listed, message in [
        ("[Vendor]", "names Vendor, not a field format shopify_orders_csv requires"),
        ("[Name]", "names Name, not a field format shopify_orders_csv requires"),
        ("Email: yes", "meta.loader.optional_columns must be a list of field names"),
    ]:
        mini.declare("shop", {"orders": ("shopify_orders_csv", "*.csv")}, extra={"optional_columns": f"{{{listed}}}"
                     if ":" in listed else listed})
        result = mini.cli("land")
        assert result.code == 1 and "Traceback" not in result.err, result.err
        assert message in result.err, (listed, result.err)


def test_shopify_order_id_column_is_a_source_option(mini):
    mini.declare("shop", {"orders": ("shopify_orders_csv", "*.csv")},
                 extra={"order_id_column": "Id", "optional_columns": "[Email, Total, Subtotal, Taxes, Shipping, "
                                                                     "Lineitem price, Lineitem discount]"})
    mini.write("orders_export.csv", TRIMMED)
    result = mini.cli("land")
    assert result.code == 1
    # Id holds the order id: optional_columns cannot make it optional
    assert "missing required column(s) Id (format shopify_orders_csv)" in result.err

    mini.declare("shop", {"orders": ("shopify_orders_csv", "*.csv")}, extra={"order_id_column": "Number"})
    result = mini.cli("land")
    assert result.code == 1 and "Traceback" not in result.err
    assert "meta.loader.order_id_column is 'Number'; format shopify_orders_csv accepts Name or Id" in result.err
