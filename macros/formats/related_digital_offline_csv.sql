{% macro related_digital_offline_csv() %}
{#-
    Offline data (vendor spec 004): store purchases, call-centre calls, store
    visits. Semicolon-separated, UTF-8, "" text qualifier, header optional
    (detected per file), plain or zip; fields in a fixed order, the first 22
    always present (empty ones as ;;), then any number of event transaction
    attributes, kept as one list. The purchase id is read from a transaction
    attribute: the first unless the source says another
    (meta.loader.columns.purchase_id.source). Read by the loader too: plain
    YAML only.
-#}
{% set spec %}
name: related_digital_offline_csv
entity: offline_events
vendor: Related Digital offline data (store purchases)
file:
  delimiters: [";"]
  header: auto
  quote: '"'
  encoding: utf-8
  columns: [time_stamp, customer_id, event_type, category, event_name, num1, num2,
            var1, var2, var3, var4, var5,
            event_name_attr1, event_name_attr2, event_name_attr3, event_name_attr4, event_name_attr5,
            event_name_attr6, event_name_attr7, event_name_attr8, event_name_attr9, event_name_attr10]
  trailing_columns: {prefix: transaction_attr, list: transaction_attributes}
columns:
  - {source: customer_id, name: customer_id, type: string, required: true, pii: email, id_type: crm_id, description: "Customer id, the same id the website or app sends; one that is an e-mail address is stored as its SHA-256 (trimmed, lower-cased), hashed at landing."}
  - {source: transaction_attr_1, name: purchase_id, type: string, description: "Purchase (receipt) id, read from an event transaction attribute (the first unless the source says another)."}
  - {source: category, name: category_code, type: string, description: "Category code of the product."}
  - {source: event_name, name: event_name, type: string, required: true, description: "Event name: the product code for purchases."}
  - {source: var1, name: var_1, type: string, description: "Var 1: city, business unit, etc."}
  - {source: var2, name: var_2, type: string, description: "Var 2."}
  - {source: var3, name: var_3, type: string, description: "Var 3."}
  - {source: var4, name: var_4, type: string, description: "Var 4."}
  - {source: var5, name: var_5, type: string, description: "Var 5."}
  - {source: event_name_attr1, name: event_name_attr_1, type: string, description: "EventName Attr1."}
  - {source: event_name_attr2, name: event_name_attr_2, type: string, description: "EventName Attr2."}
  - {source: event_name_attr3, name: event_name_attr_3, type: string, description: "EventName Attr3."}
  - {source: event_name_attr4, name: event_name_attr_4, type: string, description: "EventName Attr4."}
  - {source: event_name_attr5, name: event_name_attr_5, type: string, description: "EventName Attr5."}
  - {source: event_name_attr6, name: event_name_attr_6, type: string, description: "EventName Attr6."}
  - {source: event_name_attr7, name: event_name_attr_7, type: string, description: "EventName Attr7."}
  - {source: event_name_attr8, name: event_name_attr_8, type: string, description: "EventName Attr8."}
  - {source: event_name_attr9, name: event_name_attr_9, type: string, description: "EventName Attr9."}
  - {source: event_name_attr10, name: event_name_attr_10, type: string, description: "EventName Attr10."}
  - {source: event_type, name: event_type_code, type: integer, required: true, description: "Event type code; 7 is a purchase (seed offline_event_types)."}
  - {source: num1, name: quantity, type: number, required: true, description: "Num1: the purchase amount (units bought)."}
  - {source: num2, name: total_sales, type: number, required: true, description: "Num2: total sales, units bought x unit price."}
  - {source: time_stamp, name: event_at, type: timestamp, format: 'YYYY-MM-DD HH:MM:SS', required: true, description: "When the event happened, YYYY-MM-DD HH:MM:SS (no zone: taken as UTC)."}
{% endset %}
{{ return(fromyaml(spec)) }}
{% endmacro %}
