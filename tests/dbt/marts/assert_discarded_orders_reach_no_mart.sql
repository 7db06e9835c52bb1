-- "Import errors invalidate the entry, resulting in it being discarded"
-- (vendor spec 003): a delivered order with a rejected row (none of its rows
-- valid) leaves nothing from that delivery in the marts: no order row, no
-- line, no order state (so no event).
with discarded as (

    select
        retailer,
        _source_file,
        _load_id,
        min(order_id) as order_id
    from {{ ref('int_order_lines__validated') }}
    where _order_group is not null
    group by retailer, _source_file, _load_id, _order_group
    having {{ count_where('_rejection_reason is null') }} = 0

),

reached as (

    select
        retailer,
        order_id,
        _source_file,
        _load_id,
        'fct_orders' as found_in
    from {{ ref('fct_orders') }}
    union all
    select
        retailer,
        order_id,
        _source_file,
        _load_id,
        'fct_order_line_items' as found_in
    from {{ ref('fct_order_line_items') }}
    union all
    select
        retailer,
        order_id,
        _source_file,
        _load_id,
        'int_order_line_states' as found_in
    from {{ ref('int_order_line_states') }}

)

select
    discarded.retailer,
    discarded.order_id,
    discarded._source_file,
    reached.found_in
from discarded
inner join reached
    on
        discarded.retailer = reached.retailer
        and discarded.order_id = reached.order_id
        and discarded._source_file = reached._source_file
        and discarded._load_id = reached._load_id
