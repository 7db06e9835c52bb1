-- Whole-table check: runs on full builds (retail-imports run --full-tests), not daily.
{{ config(tags=['whole_table']) }}
-- Nothing is lost between validation and the marts: every order kept whole
-- (no order rejection: no rejected row, or only the row of an order listing
-- no item) is in fct_orders, and every order with a valid line has lines in
-- fct_order_line_items (those of its newest delivery).
with valid_orders as (

    select distinct
        retailer,
        order_id,
        'fct_orders' as missing_from
    from {{ ref('int_order_lines__validated') }}
    where line_position = 1 and _order_rejection_reason is null

),

valid_lines as (

    select distinct
        retailer,
        order_id,
        'fct_order_line_items' as missing_from
    from {{ ref('int_order_lines__validated') }}
    where _rejection_reason is null

),

line_item_orders as (

    select distinct
        retailer,
        order_id
    from {{ ref('fct_order_line_items') }}

)

select
    valid_orders.retailer,
    valid_orders.order_id,
    valid_orders.missing_from
from valid_orders
left join {{ ref('fct_orders') }} as orders
    on
        valid_orders.retailer = orders.retailer
        and valid_orders.order_id = orders.order_id
where orders.order_id is null

union all

select
    valid_lines.retailer,
    valid_lines.order_id,
    valid_lines.missing_from
from valid_lines
left join line_item_orders as line_items
    on
        valid_lines.retailer = line_items.retailer
        and valid_lines.order_id = line_items.order_id
where line_items.order_id is null
