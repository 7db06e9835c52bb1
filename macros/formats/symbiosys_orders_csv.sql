{% macro symbiosys_orders_csv() %}
{#-
    Symbiosys "file dump" of orders (vendor-specs 000 and 001): one row per
    purchase event. Schema defined by us from the vendor's guidance
    (docs: models/docs/formats.md). Read by the loader too: plain YAML only.
-#}
{% set spec %}
name: symbiosys_orders_csv
entity: orders
vendor: Symbiosys file dump (orders)
file:
  delimiters: [",", "\t"]
  header: true
  quote: '"'
  encoding: utf-8
  # <retailer>_orders_YYYYMMDD.csv, or hourly (spec 000: "uploaded hourly or at least once daily"):
  # <retailer>_orders_YYYYMMDDHH.csv, _YYYYMMDD_HH, _YYYYMMDDTHH or _YYYYMMDD-HH
  file_date: {regex: '_orders_(?P<date>\d{8})(?:[_T-]?(?P<hour>\d{2}))?\.', format: '%Y%m%d'}
columns:
  - {source: order_id, name: order_id, type: string, required: true, description: "Retailer's order id."}
  - {source: visitor_id, name: visitor_id, type: string, description: "Visitor id of the buyer (visitor_id or crm_id is required)."}
  - {source: crm_id, name: crm_id, type: string, pii: email, id_type: crm_id, description: "CRM id of the buyer (visitor_id or crm_id is required); one that is an e-mail address is stored as its SHA-256 (trimmed, lower-cased), hashed at landing."}
  - {source: session_id, name: session_id, type: string, description: "Session in which the order was placed."}
  - {source: currency, name: currency_code, type: string, required: true, description: "ISO 4217 currency of the amounts, upper-cased."}
  - {source: coupon_code, name: coupon_code, type: string, description: "Voucher codes used, separated by ;."}
  - {source: product_ids, name: product_ids, type: string, description: "Product ids bought, separated by ;."}
  - {source: platform, name: platform, type: string, default: web, accepted: [web, app], description: "web or app; web when empty."}
  - {source: revenue, name: revenue, type: number, required: true, description: "Order revenue in currency units."}
  - {source: item_count, name: item_count, type: integer, description: "Number of items in the order."}
  - {source: event_time, name: ordered_at, type: timestamp, required: true, description: "When the order was placed, ISO-8601, converted to UTC."}
one_of_required:
  - [visitor_id, crm_id]
{% endset %}
{{ return(fromyaml(spec)) }}
{% endmacro %}
