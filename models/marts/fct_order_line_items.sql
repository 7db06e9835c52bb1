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

-- The newest delivery of each order, ranked on the deliveries alone: ranking
-- the whole rows would sort every column of every line (a load is one file,
-- so it has one file date).
newest_deliveries as (

    select
        order_key,
        _load_id
    from (
        select
            order_key,
            _load_id,
            row_number() over (
                partition by order_key
                order by file_date desc, _load_id desc
            ) as delivery_rank
        from (
            select distinct
                order_key,
                file_date,
                _load_id
            from candidates
        ) as deliveries
    ) as ranked_deliveries
    where delivery_rank = 1

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
from candidates
where exists (
    select 1 from newest_deliveries
    where
        newest_deliveries.order_key = candidates.order_key
        and newest_deliveries._load_id = candidates._load_id
)
