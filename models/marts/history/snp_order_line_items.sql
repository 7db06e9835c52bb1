{#-
    What fct_order_line_items said at each build: one row per state of a line
    item; a line the newest delivery of its order no longer has is closed
    (dbt_valid_to). Built like a dbt snapshot (check strategy, deleted rows
    invalidated) from the orders landed since the last build only (macro
    build_history): a delivery replaces all lines of its order.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='dbt_scd_id',
        on_schema_change='fail',
    )
}}

{{ build_history(ref('fct_order_line_items'), 'order_line_item_key', [
    'line_item_status', 'fulfillment_status', 'quantity', 'unit_price', 'total_amount', 'discount_amount',
    'refund_amount'], scope_key='order_key') }}
