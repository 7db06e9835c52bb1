{#-
    What each orderUpdate changed, one row per change: an order attribute
    (refund, status...), a line item's attribute (status, quantity...) with
    the line item it names, or a line item added or removed. Before is the
    value in the order's previous version, after the value in this one.
-#}
{#- incremental by order: dbt_project.yml (marts.orders) -#}
{%- set order_columns = order_state_columns('order') -%}
{%- set line_columns = order_state_columns('line') -%}

with updates as (

    select
        event_key,
        order_key,
        delivery_key,
        previous_delivery_key,
        retailer,
        order_id,
        _states_load_id
    from {{ ref('int_order_versions') }}
    where event_type = 'orderUpdate' and {{ rebuilt_orders(ref('int_order_versions')) }}

),

states as (

    select * from {{ ref('int_order_line_states') }}
    where
        {{ rebuilt_orders(ref('int_order_versions')) }}
        and {{ rebuilt_states_from(rebuilt_orders(ref('int_order_versions'))) }}

),

current_lines as (

    select
        states.*,
        updates.event_key
    from updates
    inner join states
        on updates.order_key = states.order_key and updates.delivery_key = states.delivery_key

),

previous_lines as (

    select
        states.*,
        updates.event_key
    from updates
    inner join states
        on updates.order_key = states.order_key and updates.previous_delivery_key = states.delivery_key

),

-- order columns are the same on every line row of a delivery: take one row
current_orders as (

    {{ deduplicate('current_lines', 'event_key', 'line_item_key') }}

),

previous_orders as (

    {{ deduplicate('previous_lines', 'event_key', 'line_item_key') }}

),

paired_lines as (

    select
        coalesce(current_lines.event_key, previous_lines.event_key) as event_key,
        coalesce(current_lines.line_item_key, previous_lines.line_item_key) as line_item_key,
        current_lines.line_item_key is not null as in_current,
        previous_lines.line_item_key is not null as in_previous,
        {%- for name in line_columns %}
            {{ order_state_text('previous_lines', name) }} as {{ name }}__before,
            {{ order_state_text('current_lines', name) }} as {{ name }}__after,
        {%- endfor %}
        coalesce(current_lines.line_hash, '') = coalesce(previous_lines.line_hash, '') as is_same_line
    from current_lines
    full outer join previous_lines
        on
            current_lines.event_key = previous_lines.event_key
            and current_lines.line_item_key = previous_lines.line_item_key

),

changes as (

    {%- for name in order_columns %}
        select
            current_orders.event_key,
            'order_changed' as change_type,
            cast(null as {{ dbt.type_string() }}) as line_item_key,
            '{{ name }}' as attribute_name,
            {{ order_state_text('previous_orders', name) }} as value_before,
            {{ order_state_text('current_orders', name) }} as value_after
        from current_orders
        inner join previous_orders on current_orders.event_key = previous_orders.event_key
        where current_orders.order_hash != previous_orders.order_hash
        union all
    {%- endfor %}

    select
        event_key,
        case when in_current then 'line_added' else 'line_removed' end as change_type,
        line_item_key,
        cast(null as {{ dbt.type_string() }}) as attribute_name,
        case when in_previous then line_item_status__before end as value_before,
        case when in_current then line_item_status__after end as value_after
    from paired_lines
    where not (in_current and in_previous)

    {%- for name in line_columns %}
        union all
        select
            event_key,
            'line_changed' as change_type,
            line_item_key,
            '{{ name }}' as attribute_name,
            {{ name }}__before as value_before,
            {{ name }}__after as value_after
        from paired_lines
        where in_current and in_previous and not is_same_line
    {%- endfor %}

)

select
    {{ dbt.hash(dbt.concat([
        "changes.event_key", "'|'", "coalesce(changes.line_item_key, '')", "'|'", "coalesce(changes.attribute_name, '')",
    ])) }} as change_key,
    changes.event_key,
    updates.order_key,
    updates.retailer,
    updates.order_id,
    changes.change_type,
    changes.line_item_key,
    changes.attribute_name,
    changes.value_before,
    changes.value_after,
    updates._states_load_id
from changes
inner join updates on changes.event_key = updates.event_key
where
    changes.change_type in ('line_added', 'line_removed')
    or coalesce(changes.value_before, '<null>') != coalesce(changes.value_after, '<null>')
