-- Whole-table check: runs on full builds (retail-imports run --full-tests), not daily.
{{ config(tags=['whole_table']) }}
-- Nothing is lost between staging and the mart: every valid staged order has
-- its row in fct_orders (the newest delivery of it).
with staged_orders as (

    select distinct
        retailer,
        order_id
    from {{ ref('int_orders__unioned') }}
    where _rejection_reason is null

)

select
    staged_orders.retailer,
    staged_orders.order_id
from staged_orders
left join {{ ref('fct_orders') }} as orders
    on
        staged_orders.retailer = orders.retailer
        and staged_orders.order_id = orders.order_id
where orders.order_id is null
