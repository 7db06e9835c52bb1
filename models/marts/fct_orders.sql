{{
    config(
        materialized='incremental',
        unique_key='order_key',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

with one_row_orders as (

    -- formats with one row per order (Symbiosys)
    select
        retailer,
        order_id,
        visitor_id,
        crm_id,
        session_id,
        cast(null as {{ dbt.type_string() }}) as user_id_type,
        cast(null as {{ dbt.type_string() }}) as user_id,
        currency_code,
        coupon_code,
        product_ids,
        {{ split_list('coupon_code') }} as promotions,
        platform,
        cast(null as {{ dbt.type_string() }}) as order_source,
        cast(null as {{ dbt.type_string() }}) as payment_method,
        cast(null as {{ dbt.type_string() }}) as shipping_method,
        cast(null as {{ dbt.type_string() }}) as shipping_country,
        cast(null as {{ dbt.type_string() }}) as order_status,
        cast(null as {{ dbt.type_string() }}) as financial_status,
        cast(null as {{ dbt.type_string() }}) as custom_fields,
        revenue,
        cast(null as {{ dbt.type_numeric() }}) as subtotal_amount,
        cast(null as {{ dbt.type_numeric() }}) as tax_amount,
        cast(null as {{ dbt.type_numeric() }}) as shipping_amount,
        cast(null as {{ dbt.type_numeric() }}) as discount_amount,
        cast(null as {{ dbt.type_numeric() }}) as refund_amount,
        item_count,
        ordered_at,
        cast(null as {{ dbt.type_timestamp() }}) as updated_at,
        cast(null as {{ dbt.type_timestamp() }}) as paid_at,
        cast(null as {{ dbt.type_timestamp() }}) as fulfilled_at,
        _source_format,
        _source_file,
        _file_date,
        _line_number,
        _load_id
    from {{ ref('int_orders__unioned') }}
    where _rejection_reason is null and {{ new_loads() }}

),

-- formats with one row per line item (Kevel, Shopify, GA4): what the order's
-- kept lines say of it (an order discarded by a rejected row has none)
order_lines as (

    select
        retailer,
        _source_file,
        _load_id,
        _order_group,
        count(*) as line_count,
        {{ order_status_from_lines('line_item_status') }} as line_order_status,
        {{ order_item_count('quantity', 'line_item_status') }} as line_item_count
    from {{ ref('int_order_lines__validated') }}
    where _rejection_reason is null and {{ new_loads() }}
    group by retailer, _source_file, _load_id, _order_group

),

line_item_orders as (

    -- formats with one row per line item (Kevel, Shopify, GA4): the order's first kept row
    select
        heads.retailer,
        heads.order_id,
        heads.visitor_id,
        heads.crm_id,
        heads.session_id,
        heads.user_id_type,
        heads.user_id,
        heads.currency_code,
        cast(null as {{ dbt.type_string() }}) as coupon_code,
        cast(null as {{ dbt.type_string() }}) as product_ids,
        heads.promotions,
        heads.platform,
        heads.order_source,
        heads.payment_method,
        heads.shipping_method,
        heads.shipping_country,
        -- Shopify's from its financial status; formats with statuses per line only, from the lines
        coalesce(heads.order_status, order_lines.line_order_status) as order_status,
        heads.financial_status,
        heads.custom_fields,
        heads.total_amount as revenue,
        heads.subtotal_amount,
        heads.tax_amount,
        heads.shipping_amount,
        heads.discount_amount,
        heads.refund_amount,
        -- an order listing no item (a GA4 purchase) has none
        case when order_lines.line_count is null then 0 else order_lines.line_item_count end as item_count,
        heads.ordered_at,
        heads.updated_at,
        heads.paid_at,
        heads.fulfilled_at,
        heads._source_format,
        heads._source_file,
        heads._file_date,
        heads._line_number,
        heads._load_id
    from {{ ref('int_order_lines__validated') }} as heads
    left join order_lines
        on
            heads.retailer = order_lines.retailer
            and heads._source_file = order_lines._source_file
            and heads._load_id = order_lines._load_id
            and heads._order_group = order_lines._order_group
    where heads.line_position = 1 and heads._order_rejection_reason is null and {{ new_loads('heads') }}

),

new_orders as (

    select * from one_row_orders
    union all
    select * from line_item_orders

),

keyed as (

    select
        {{ dbt.hash(dbt.concat(["retailer", "'|'", "order_id"])) }} as order_key,
        retailer,
        order_id,
        visitor_id,
        crm_id,
        session_id,
        user_id_type,
        user_id,
        upper(currency_code) as currency_code,
        coupon_code,
        product_ids,
        promotions,
        platform,
        order_source,
        payment_method,
        shipping_method,
        shipping_country,
        order_status,
        financial_status,
        custom_fields,
        revenue,
        subtotal_amount,
        tax_amount,
        shipping_amount,
        discount_amount,
        refund_amount,
        item_count,
        cast(ordered_at as date) as ordered_date,
        _file_date as file_date,
        ordered_at,
        updated_at,
        paid_at,
        fulfilled_at,
        _source_format,
        _source_file,
        _line_number,
        _load_id
    from new_orders

),

candidates as (
    {{ keep_latest('keyed', 'order_key') }}
),

ranked as (

    select
        *,
        row_number() over (
            partition by order_key
            order by file_date desc, _load_id desc, _line_number desc
        ) as version_rank
    from candidates

)

select
    order_key,
    retailer,
    order_id,
    visitor_id,
    crm_id,
    session_id,
    user_id_type,
    user_id,
    currency_code,
    coupon_code,
    product_ids,
    promotions,
    platform,
    order_source,
    payment_method,
    shipping_method,
    shipping_country,
    order_status,
    financial_status,
    custom_fields,
    revenue,
    subtotal_amount,
    tax_amount,
    shipping_amount,
    discount_amount,
    refund_amount,
    item_count,
    ordered_date,
    file_date,
    ordered_at,
    updated_at,
    paid_at,
    fulfilled_at,
    _source_format,
    _source_file,
    _line_number,
    _load_id
from ranked
where version_rank = 1
