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


{% macro rebuilt_states_from(rebuilt, versions=ref('int_order_versions')) %}
{#-
    `_load_id >= <constant>` bounding a read of int_order_line_states to the
    states of the orders being rebuilt: the smallest _first_load_id (an
    order's earliest landing) in `versions` among the orders matching
    `rebuilt` (a condition on order_key, such as rebuilt_orders()). States
    are appended by landing, so older row groups are skipped and a daily run
    no longer reads every order's history to find the few it rebuilds.
    Orders not yet in `versions` (new ones) landed after its newest
    _states_load_id, which also bounds. `1 = 1` in a full build.
-#}
    {%- if not is_incremental() or not execute -%}
        {{ return('1 = 1') }}
    {%- endif -%}
    {%- set found = run_query(
        "select min(coalesce(_first_load_id, 0)), (select coalesce(max(_states_load_id), 0) + 1 from " ~ versions
        ~ ") from " ~ versions ~ " where " ~ rebuilt).rows[0] -%}
    {{ return('_load_id >= ' ~ ([found[0], found[1]] | reject('none') | min)) }}
{% endmacro %}
