{% macro build_history(relation, unique_key, check_cols, scope_key=none) %}
{#-
    The select of a build-time history model (snp_orders, snp_order_line_items):
    what `relation` said at each build, as a dbt snapshot with the check
    strategy and hard_deletes: invalidate records it, with the same columns
    (dbt_scd_id, dbt_updated_at, dbt_valid_from, dbt_valid_to), but looking
    only at the rows landed since the last build instead of comparing the
    whole mart. A landed row whose `check_cols` differ from its open version
    (or that has none) opens a version and closes the old one at this
    build's time. With `scope_key` (an order's lines, replaced together),
    the open versions of a landed scope that are no longer in `relation`
    are closed: the retailer removed them. Incremental, delete+insert on
    dbt_scd_id. DECISIONLOG "Build-time history instead of dbt snapshots".
-#}
    {%- set now = 'cast(' ~ snapshot_get_time() ~ ' as ' ~ dbt.type_timestamp() ~ ')' -%}
    {%- set scope = scope_key or unique_key -%}
with landed as (

    select * from {{ relation }}
    where {{ new_loads() }}

),

{% if is_incremental() -%}
open_versions as (

    select *
    from {{ this }}
    where dbt_valid_to is null and {{ scope }} in (select landed.{{ scope }} from landed)

),

opened as (

    select landed.*
    from landed
    left join open_versions
        on landed.{{ unique_key }} = open_versions.{{ unique_key }}
    where
        open_versions.{{ unique_key }} is null
        or {{ state_hash_of('open_versions', check_cols) }} != {{ state_hash_of('landed', check_cols) }}

),

closed as (

    select *
    from open_versions
    where
        {{ unique_key }} in (select opened.{{ unique_key }} from opened)
        or {{ unique_key }} not in (select landed.{{ unique_key }} from landed)

)
{%- else -%}
opened as (
    select * from landed
)
{%- endif %}

select
    opened.*,
    {{ dbt.hash(dbt.concat(["opened." ~ unique_key, "'|'", timestamp_text(now)])) }} as dbt_scd_id,
    {{ now }} as dbt_updated_at,
    {{ now }} as dbt_valid_from,
    cast(null as {{ dbt.type_timestamp() }}) as dbt_valid_to
from opened
{%- if is_incremental() %}
union all
select
    {%- for column in adapter.get_columns_in_relation(this) if column.name != 'dbt_valid_to' %}
    closed.{{ column.name }},
    {%- endfor %}
    {{ now }} as dbt_valid_to
from closed
{%- endif %}
{% endmacro %}


{% macro state_hash_of(alias, columns) %}
{#- A null-safe hash of `columns` of `alias`: each as text, nulls marked, separated by '|'. -#}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- if not loop.first %}{% do parts.append("'|'") %}{% endif -%}
        {%- do parts.append("coalesce(" ~ dbt.safe_cast(alias ~ '.' ~ column, dbt.type_string()) ~ ", '<null>')") -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}
