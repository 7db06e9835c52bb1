{#-
    Order events from imports (vendor spec 003, "Order Events from Imports"):
    one orderPlace for an order never seen before, one orderUpdate for each
    later delivery that brings new information, none for a delivery that
    repeats what is known. The order as it stood after the event, and a
    summary of what changed (fct_order_event_changes has one row per change;
    fct_order_event_line_items the event's line items, with product-feed
    attributes filled in). Each order with a new version is rebuilt from its
    kept history, so the events do not depend on how or in which order the
    files landed.
-#}
{#- incremental by order: dbt_project.yml (marts.orders) -#}
{%- set order_columns = order_state_columns('order') %}

with versions as (

    select * from {{ ref('int_order_versions') }}
    where {{ rebuilt_orders(ref('int_order_versions')) }}

),

orders as (

    select * from {{ ref('int_order_line_states') }}
    where
        {{ rebuilt_orders(ref('int_order_versions')) }}
        and {{ rebuilt_states_from(rebuilt_orders(ref('int_order_versions'))) }}
    qualify row_number() over (partition by order_key, delivery_key order by line_item_key) = 1

),

changes as (

    select
        event_key,
        count(*) as change_count,
        {{ dbt.listagg(
            dbt.concat([
                "coalesce(" ~ dbt.concat(["'line '", "line_item_key", "' '"]) ~ ", '')",
                "coalesce(attribute_name, replace(change_type, '_', ' '))",
                "': '", "coalesce(value_before, 'null')", "' -> '", "coalesce(value_after, 'null')",
            ]),
            "'; '",
            "order by line_item_key nulls first, attribute_name") }} as changes
    from {{ ref('fct_order_event_changes') }}
    where {{ rebuilt_orders(ref('int_order_versions')) }}
    group by event_key

)

select
    versions.event_key,
    versions.order_key,
    versions.retailer,
    versions.order_id,
    versions.event_type,
    versions.event_at,
    versions.version_number,
    coalesce(changes.change_count, 0) as change_count,
    changes.changes,
    versions.line_count,
    {%- for name in order_columns %}
        orders.{{ name }},
    {%- endfor %}
    orders.updated_at,
    versions.file_date,
    versions.source_file,
    versions.source_format,
    versions.load_id,
    versions.loaded_at,
    versions._states_load_id
from versions
inner join orders
    on versions.order_key = orders.order_key and versions.delivery_key = orders.delivery_key
left join changes on versions.event_key = changes.event_key
