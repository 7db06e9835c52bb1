{% macro rebuilt_orders(upstream, upstream_column='_states_load_id') %}
{#-
    Incremental filter of the order-history models (int_order_versions and
    the event marts): which orders to rebuild. A full build takes every
    order; an incremental one the orders `upstream` has news of, i.e. rows
    whose `upstream_column` (a landing's _load_id) is newer than the newest
    _states_load_id this model holds. Each such order's whole history is
    rebuilt from the kept states and replaces its rows (delete+insert on
    order_key), so a late file still renumbers its order's versions, and a
    daily run works on the day's orders, not on all history.
-#}
    {%- if is_incremental() -%}
        order_key in (
            select order_key from {{ upstream }}
            where {{ upstream_column }} > (select coalesce(max(_states_load_id), 0) from {{ this }})
        )
    {%- else -%}
        1 = 1
    {%- endif -%}
{% endmacro %}
