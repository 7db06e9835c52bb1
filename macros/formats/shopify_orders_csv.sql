{% macro shopify_orders_csv() %}
{#-
    Shopify "Export orders" CSV (vendor-specs 003, "Shopify CSV"): one row per
    line item, the first row of an order holding the order fields. Columns
    are matched by header name: exports hold 34 to 79 of them, and columns a
    file lacks are typed nulls. Staging names are the canonical order-line
    names (macros/entities/order_lines_columns). Read by the loader too:
    plain YAML only.

    required: the vendor's table says Required: the column must be in the
    header and hold a value (on the order's first row for order columns),
    or the order is discarded. A retailer whose export omits some of them
    (a trimmed, PII-free export) lists them in meta.loader.optional_columns;
    the loader warns about it at every land.
-#}
{% set spec %}
name: shopify_orders_csv
entity: order_lines
vendor: Shopify orders export (CSV)
file:
  delimiters: [","]
  header: true
  quote: '"'
  encoding: utf-8
# Spec 003: "The fields have the correct keys (case sensitive)"; the
# accepted values are listed exactly too.
case_sensitive: true
line_items:
  # Shopify repeats Name on every row of an order.
  order_rows: Name
# Shopify writes `2025-05-11 09:55:16 -0400`; a source whose export uses
# another pattern sets meta.loader.timestamp_format (and timezone).
timestamp_formats: ['%Y-%m-%d %H:%M:%S %z']
# The vendor states no arithmetic for Shopify. Shopify's Total is Subtotal +
# Shipping + Taxes when prices exclude tax, and Subtotal + Shipping when they
# include it (most of Europe, Australia...), duties and tips aside: a
# warning when it is neither, never a rejection (test rule_warnings).
rules:
  - {rule: amounts_add_up, total: Total, sums: [[Subtotal, Shipping, Taxes], [Subtotal, Shipping]], severity: warn}
columns:
  - {source: Name, name: order_id, type: string, required: true, source_option: order_id_column, source_choices: [Name, Id], description: "Order id: Name (#1001) by default, or Id when the source sets meta.loader.order_id_column: Id (match what tracking events send)."}
  - {source: Name, name: order_name, type: string, required: true, level: order, description: "Shopify's order name (#1001): tells the rows of one order apart."}
  - {source: Id, name: shopify_order_id, type: string, required: true, level: order, description: "Shopify's numeric order id (on the order's first row)."}
  - {source: Email, name: email_sha256, type: string, transform: email_sha256, required: true, pii: email, description: "SHA-256 of the buyer's e-mail, trimmed and lower-cased, hashed at landing (the e-mail itself is never stored)."}
  - {source: Currency, name: currency_code, type: string, required: true, description: "ISO 4217 currency of the amounts."}
  - {source: Total, name: total_amount, type: number, required: true, description: "Order total: subtotal + shipping, + taxes unless prices include them (duties and tips aside)."}
  - {source: Subtotal, name: subtotal_amount, type: number, required: true, description: "Order value after discounts, without taxes and shipping."}
  - {source: Taxes, name: tax_amount, type: number, required: true, description: "Taxes of the order."}
  - {source: Shipping, name: shipping_amount, type: number, required: true, description: "Shipping costs of the order."}
  - {source: Discount Amount, name: discount_amount, type: number, required: true, description: "Discount granted on the order."}
  - {source: Refunded Amount, name: refund_amount, type: number, required: true, description: "Amount refunded on the order."}
  - {source: Discount Code, name: promotions, type: list, separator: ",", description: "Discount codes used (separated by , in the file)."}
  - {source: Payment Method, name: payment_method, type: string, description: "Payment method."}
  - {source: Shipping Method, name: shipping_method, type: string, description: "Shipping method."}
  - {source: Shipping Country, name: shipping_country, type: string, description: "Destination country code."}
  - {source: Source, name: order_source, type: string, description: "Sales channel (web, pos, shopify_draft_order...)."}
  - {source: Financial Status, name: financial_status, type: string, required: true, accepted: [authorized, paid, partially_paid, pending, refunded, partially_refunded, voided], description: "Payment state of the order; mapped to canonical statuses by seeds/order_status_mappings.csv and seeds/line_item_status_mappings.csv."}
  - {source: Created at, name: ordered_at, type: timestamp, required: true, description: "When the order was created, converted to UTC."}
  - {source: Paid at, name: paid_at, type: timestamp, description: "When the order was paid, converted to UTC."}
  - {source: Fulfilled at, name: fulfilled_at, type: timestamp, description: "When the order was fulfilled, converted to UTC."}
  - {source: Lineitem quantity, name: quantity, type: number, required: true, description: "Quantity bought."}
  - {source: Lineitem name, name: product_name, type: string, required: true, description: "Product name (with the variant)."}
  - {source: Lineitem price, name: unit_price, type: number, required: true, description: "Price of one unit."}
  - {source: Lineitem discount, name: line_discount_amount, type: number, required: true, description: "Discount granted on the line."}
  - {source: Lineitem fulfillment status, name: fulfillment_status, type: string, required: true, accepted: [pending, partial, restocked, fulfilled], description: "Fulfilment state of the line; with the financial status it gives the canonical line status."}
  - {source: Lineitem sku, name: sku, type: string, required: true, description: "Product SKU."}
  - {source: Vendor, name: brand, type: string, description: "Product vendor (brand)."}
# Personal fields of the export that staging does not read: landed hashed
# (phones) or dropped (the column stays, its values null). City, province and
# country stay: coarse geography, used for reporting. README "Personal data"
# gives the reason for each.
personal_fields:
  - {source: Phone, pii: phone}
  - {source: Billing Phone, pii: phone}
  - {source: Shipping Phone, pii: phone}
  - {source: Billing Name, pii: name}
  - {source: Shipping Name, pii: name}
  - {source: Billing Company, pii: name}
  - {source: Shipping Company, pii: name}
  - {source: Employee, pii: name}
  - {source: Billing Street, pii: address}
  - {source: Billing Address1, pii: address}
  - {source: Billing Address2, pii: address}
  - {source: Billing Zip, pii: address}
  - {source: Shipping Street, pii: address}
  - {source: Shipping Address1, pii: address}
  - {source: Shipping Address2, pii: address}
  - {source: Shipping Zip, pii: address}
{% endset %}
{{ return(fromyaml(spec)) }}
{% endmacro %}
