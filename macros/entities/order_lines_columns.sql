{% macro order_lines_columns() %}
{#-
    The canonical shape of the order_lines entity: every order format with
    line items (Kevel, Shopify...) stages its columns under these names, and
    int_order_lines__unioned has all of them (typed nulls for the columns a
    format lacks). level: order columns are read from the first row of each
    order; the other columns from every row. Plain YAML only.
-#}
{% set spec %}
- {name: order_id, type: string, level: order}
- {name: user_id_type, type: string, level: order}
- {name: user_id, type: string, level: order}
- {name: email_sha256, type: string, level: order}
# who placed the order, for attribution (GA4 purchases send them; order files do not)
- {name: visitor_id, type: string, level: order}
- {name: crm_id, type: string, level: order}
- {name: session_id, type: string, level: order}
- {name: platform, type: string, level: order}
- {name: currency_code, type: string, level: order}
- {name: total_amount, type: number, level: order}
- {name: subtotal_amount, type: number, level: order}
- {name: tax_amount, type: number, level: order}
- {name: shipping_amount, type: number, level: order}
- {name: discount_amount, type: number, level: order}
- {name: refund_amount, type: number, level: order}
- {name: payment_method, type: string, level: order}
- {name: shipping_method, type: string, level: order}
- {name: shipping_country, type: string, level: order}
- {name: order_source, type: string, level: order}
- {name: promotions, type: list, level: order}
- {name: financial_status, type: string, level: order}
- {name: custom_fields, type: string, level: order}
- {name: ordered_at, type: timestamp, level: order}
- {name: updated_at, type: timestamp, level: order}
- {name: paid_at, type: timestamp, level: order}
- {name: fulfilled_at, type: timestamp, level: order}
- {name: line_item_id, type: string, level: line}
- {name: product_id, type: string, level: line}
- {name: item_group_id, type: string, level: line}
- {name: sku, type: string, level: line}
- {name: product_name, type: string, level: line}
- {name: brand, type: string, level: line}
- {name: category, type: string, level: line}
- {name: categories, type: list, level: line}
- {name: size, type: string, level: line}
- {name: size_system, type: string, level: line}
- {name: line_currency_code, type: string, level: line}
- {name: quantity, type: number, level: line}
- {name: unit_price, type: number, level: line}
- {name: line_total_amount, type: number, level: line}
- {name: line_subtotal_amount, type: number, level: line}
- {name: line_tax_amount, type: number, level: line}
- {name: line_shipping_amount, type: number, level: line}
- {name: line_discount_amount, type: number, level: line}
- {name: line_refund_amount, type: number, level: line}
- {name: line_promotions, type: list, level: line}
- {name: is_adult, type: boolean, level: line}
- {name: subscription_duration_ms, type: integer, level: line}
- {name: line_item_status, type: string, level: line}
- {name: fulfillment_status, type: string, level: line}
- {name: _order_group, type: string, level: line}
# position of the row's item in its delivered record (GA4 items[], from 0); null when a row is one line
- {name: _item_index, type: integer, level: line}
# the row of an order delivered without any line item (a GA4 purchase listing no items): not a
# line, rejected as one, yet no import error of its order, which is kept without lines
- {name: _is_itemless, type: boolean, level: line}
- {name: _order_rejection_reason, type: string, level: line}
{% endset %}
{{ return(fromyaml(spec)) }}
{% endmacro %}
