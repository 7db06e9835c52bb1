-- "Import errors invalidate the entry, resulting in it being discarded"
-- (vendor spec 003): a delivered order with a rejected row (every row of it
-- carries the order's rejection) leaves nothing from that delivery in the
-- marts: no order row, no line, no order state (so no event). An order
-- listing no item (a GA4 purchase) is not discarded: its one row is no line.
with discarded as (

    select
        retailer,
        _source_file,
        _load_id,
        min(order_id) as order_id
    from {{ ref('int_order_lines__validated') }}
    where _order_group is not null
    group by retailer, _source_file, _load_id, _order_group
    having {{ count_where('_order_rejection_reason is null') }} = 0

),

reached as (

    {% for model in ['fct_orders', 'fct_order_line_items', 'int_order_line_states'] -%}
        select
            retailer,
            order_id,
            _source_file,
            _load_id,
            '{{ model }}' as found_in
        from {{ ref(model) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

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
