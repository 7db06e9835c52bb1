{#-
    What fct_orders said at each build: one row per state of an order, valid
    from the build that first saw it to the build that saw it change
    (processing-time history, "what did we know when"; the business history,
    independent of how files landed, is int_order_versions / fct_order_events).
    Built like a dbt snapshot (check strategy) from the orders landed since
    the last build only (macro build_history).
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='dbt_scd_id',
        on_schema_change='fail',
    )
}}

{{ build_history(ref('fct_orders'), 'order_key', [
    'order_status', 'financial_status', 'revenue', 'subtotal_amount', 'tax_amount', 'shipping_amount',
    'discount_amount', 'refund_amount', 'paid_at', 'fulfilled_at', 'updated_at']) }}
