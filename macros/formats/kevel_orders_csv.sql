{% macro kevel_orders_csv() %}
{#-
    Kevel Audience order CSV (vendor-specs 003, "Kevel Audience CSV"): one row
    per line item. The rows of an order are adjacent; its first row carries
    the order columns (level: order in macros/entities/order_lines_columns),
    every row its line-item columns. Columns are matched by header name.
    Staging names are the canonical order-line names, so every order format
    unions by name (int_order_lines__unioned). Read by the loader too: plain
    YAML only.
-#}
{% set spec %}
name: kevel_orders_csv
entity: order_lines
vendor: Kevel Audience CSV (orders)
file:
  delimiters: [","]
  header: true
  quote: '"'
  encoding: utf-8
line_items:
  # Adjacent rows with the same value here are one order; a row where it is
  # empty continues the order above it.
  order_rows: orderId
# Spec 003: "The fields have the correct keys (case sensitive)"; the
# accepted values are listed exactly too.
case_sensitive: true
# custom_<name> columns, any number: the order's custom fields, keyed by <name>.
custom_fields: {prefix: custom_, name: custom_fields}
# Vendor rules on a row's own values (one macro each, macros/rules/): the
# vendor's table says "total = subtotal + tax + shipping" for the order and
# for each line item. A row breaking one is rejected (rules on order columns
# are judged on the order's first row).
rules:
  - {rule: amounts_add_up, total: total, sums: [[subtotal, tax, shipping]]}
  - {rule: amounts_add_up, total: lineItem_total, sums: [[lineItem_subtotal, lineItem_tax, lineItem_shipping]]}
columns:
  - {source: orderId, name: order_id, type: string, required: true, description: "Order identifier, unique per order."}
  - {source: userIdType, name: user_id_type, type: string, required: true, transform: user_id_type, description: "Type of the user id (email, email_sha256, crm_id...); email becomes email_sha256 once hashed."}
  - {source: userId, name: user_id, type: string, required: true, transform: user_id, type_column: userIdType, pii: email, description: "The user id, validated by its type; e-mails are trimmed, lower-cased and hashed to SHA-256 at landing (their type becomes email_sha256)."}
  - {source: currency, name: currency_code, type: string, required: true, description: "ISO 4217 currency of the order amounts."}
  - {source: total, name: total_amount, type: number, required: true, description: "Order total, discounts applied, tax and shipping included (= subtotal + tax + shipping)."}
  - {source: subtotal, name: subtotal_amount, type: number, required: true, description: "Order value without tax and shipping."}
  - {source: tax, name: tax_amount, type: number, required: true, description: "Tax of the order."}
  - {source: shipping, name: shipping_amount, type: number, required: true, description: "Shipping costs of the order."}
  - {source: discount, name: discount_amount, type: number, required: true, description: "Discount granted on the order."}
  - {source: refund, name: refund_amount, type: number, required: true, description: "Amount refunded on the order."}
  - {source: paymentMethod, name: payment_method, type: string, description: "Payment method (Visa...)."}
  - {source: shippingMethod, name: shipping_method, type: string, description: "Shipping method (UPS...)."}
  - {source: shippingCountry, name: shipping_country, type: string, description: "Destination country."}
  - {source: source, name: order_source, type: string, description: "Where the order was placed: web, phone call, POS..."}
  - {source: promotions, name: promotions, type: list, description: "Vouchers applied to the order (separated by ; in the file)."}
  - {source: createdAt, name: ordered_at, type: timestamp, required: true, description: "When the order was created, ISO-8601 (offsets like +0100), converted to UTC."}
  - {source: lastUpdated, name: updated_at, type: timestamp, description: "When the order was last updated, converted to UTC."}
  - {source: lineItem_id, name: line_item_id, type: string, description: "Id of the line item within the order."}
  - {source: lineItem_productId, name: product_id, type: string, required: true, description: "Product identifier."}
  - {source: lineItem_itemGroupId, name: item_group_id, type: string, description: "Product group of the variants of one product."}
  - {source: lineItem_name, name: product_name, type: string, description: "Product name."}
  - {source: lineItem_sku, name: sku, type: string, required: true, description: "Product SKU."}
  - {source: lineItem_brand, name: brand, type: string, description: "Product brand."}
  - {source: lineItem_category, name: category, type: string, description: "Product category (Men > Shirts...)."}
  - {source: lineItem_categories, name: categories, type: list, description: "Sub-categories, most general first (separated by ; in the file)."}
  - {source: lineItem_currency, name: line_currency_code, type: string, required: true, description: "ISO 4217 currency of the line amounts."}
  - {source: lineItem_total, name: line_total_amount, type: number, required: true, description: "Line total, discounts applied, tax and shipping included (= subtotal + tax + shipping)."}
  - {source: lineItem_subtotal, name: line_subtotal_amount, type: number, required: true, description: "Line value without tax and shipping."}
  - {source: lineItem_tax, name: line_tax_amount, type: number, required: true, description: "Tax of the line."}
  - {source: lineItem_shipping, name: line_shipping_amount, type: number, required: true, description: "Shipping costs of the line."}
  - {source: lineItem_discount, name: line_discount_amount, type: number, required: true, description: "Discount granted on the line."}
  - {source: lineItem_refund, name: line_refund_amount, type: number, required: true, description: "Amount refunded on the line."}
  - {source: lineItem_quantity, name: quantity, type: number, required: true, description: "Quantity bought."}
  - {source: lineItem_promotions, name: line_promotions, type: list, description: "Vouchers applied to, or shown with, the product (separated by ; in the file)."}
  - {source: lineItem_adult, name: is_adult, type: boolean, default: false, description: "Whether the product is adult content; false when empty."}
  - {source: lineItem_subscriptionDuration, name: subscription_duration_ms, type: integer, description: "Subscription duration in milliseconds, for subscriptions."}
  - {source: lineItem_size, name: size, type: string, description: "Product size."}
  - {source: lineItem_sizeSystem, name: size_system, type: string, description: "Country of the size system (EU...)."}
  - {source: lineItem_status, name: line_item_status, type: string, required: true, accepted: line_item_statuses, description: "placed, paid, fulfilled, refunded or cancelled (line_item_statuses), spelled exactly (values are case sensitive)."}
{% endset %}
{{ return(fromyaml(spec)) }}
{% endmacro %}
