{{
    config(
        materialized='incremental',
        unique_key='order_key',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

with new_orders as (

    select * from {{ ref('int_orders__unioned') }}
    where _rejection_reason is null and {{ new_loads() }}

),

keyed as (

    select
        {{ dbt.hash(dbt.concat(["retailer", "'|'", "order_id"])) }} as order_key,
        retailer,
        order_id,
        visitor_id,
        crm_id,
        session_id,
        upper(currency_code) as currency_code,
        coupon_code,
        product_ids,
        platform,
        revenue,
        item_count,
        cast(ordered_at as date) as ordered_date,
        _file_date as file_date,
        ordered_at,
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
    currency_code,
    coupon_code,
    product_ids,
    platform,
    revenue,
    item_count,
    ordered_date,
    file_date,
    ordered_at,
    _source_file,
    _line_number,
    _load_id
from ranked
where version_rank = 1
