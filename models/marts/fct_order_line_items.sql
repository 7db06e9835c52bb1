{#-
    One row per line item of the newest delivery of each order. A delivery
    replaces the order's whole line set (a line dropped from the order leaves
    the mart), hence unique_key = order_key with delete+insert.
-#}
{{
    config(
        materialized='incremental',
        unique_key='order_key',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

with new_lines as (

    select * from {{ ref('int_order_lines__validated') }}
    where _rejection_reason is null and {{ new_loads() }}

),

keyed as (

    select
        {{ dbt.hash(dbt.concat(["retailer", "'|'", "order_id", "'|'", "line_item_key"])) }} as order_line_item_key,
        {{ dbt.hash(dbt.concat(["retailer", "'|'", "order_id"])) }} as order_key,
        retailer,
        order_id,
        line_item_key,
        line_item_id,
        product_id,
        item_group_id,
        sku,
        product_name,
        brand,
        category,
        categories,
        size,
        size_system,
        line_item_status,
        fulfillment_status,
        line_currency_code as currency_code,
        line_promotions as promotions,
        line_position,
        quantity,
        unit_price,
        line_total_amount as total_amount,
        line_subtotal_amount as subtotal_amount,
        line_tax_amount as tax_amount,
        line_shipping_amount as shipping_amount,
        line_discount_amount as discount_amount,
        line_refund_amount as refund_amount,
        subscription_duration_ms,
        is_adult,
        cast(ordered_at as date) as ordered_date,
        _file_date as file_date,
        ordered_at,
        _source_format,
        _source_file,
        _line_number,
        _load_id
    from new_lines

),

candidates as (
    {{ keep_latest('keyed', 'order_key') }}
),

ranked as (

    select
        *,
        dense_rank() over (
            partition by order_key
            order by file_date desc, _load_id desc
        ) as delivery_rank
    from candidates

)

select
    order_line_item_key,
    order_key,
    retailer,
    order_id,
    line_item_key,
    line_item_id,
    product_id,
    item_group_id,
    sku,
    product_name,
    brand,
    category,
    categories,
    size,
    size_system,
    line_item_status,
    fulfillment_status,
    currency_code,
    promotions,
    line_position,
    quantity,
    unit_price,
    total_amount,
    subtotal_amount,
    tax_amount,
    shipping_amount,
    discount_amount,
    refund_amount,
    subscription_duration_ms,
    is_adult,
    ordered_date,
    file_date,
    ordered_at,
    _source_format,
    _source_file,
    _line_number,
    _load_id
from ranked
where delivery_rank = 1
