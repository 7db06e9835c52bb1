{% macro visitor_changes() %}
{#-
    The rows of int_visitor_event_changes this visitor model has not
    processed yet (all of them in a full build): newer than its mark in
    int_visitor_watermarks. The mark moves in the model's own transaction
    (record_visitor_watermark), so a build that fails leaves it, and the
    next build takes those changes again: rebuilding a region twice gives
    the same rows.
-#}
    select * from {{ ref('int_visitor_event_changes') }}
    {%- if is_incremental() %}
    where _load_id > {{ visitor_watermark() }}
    {%- endif %}
{% endmacro %}


{% macro visitor_watermark() %}
{#- The newest change load this visitor model processed (0 if none is recorded), as a scalar subquery. -#}
    (
        select coalesce(max(changes_load_id), 0) from {{ ref('int_visitor_watermarks') }}
        where model_name = '{{ this.name }}'
    )
{%- endmacro %}


{% macro record_visitor_watermark() %}
{#- Post-hook of a visitor model: it has processed the change feed up to its newest load. -#}
    insert into {{ ref('int_visitor_watermarks') }} (model_name, changes_load_id, recorded_at)
    select '{{ this.name }}', max(_load_id), {{ dbt.current_timestamp() }}
    from {{ ref('int_visitor_event_changes') }}
{% endmacro %}


{% macro changes_load_id() %}
{#- _changes_load_id of the rows a visitor model writes: the newest change it has processed (data tests select by it). -#}
    (select max(_load_id) from {{ ref('int_visitor_event_changes') }})
{%- endmacro %}


{% macro visitor_changes_start(event_types=['page_view', 'order']) %}
{#-
    The earliest time, new or previous, of the changes visitor_changes()
    returns for these event types, as a SQL timestamp constant (none when
    nothing changed, 'null' outside execution). The visitor models bound
    their reads of history with it: a constant lets DuckDB skip row groups
    by their min / max and BigQuery prune partitions.
-#}
    {%- if not execute -%}
        {{ return('null') }}
    {%- endif -%}
    {%- set found = run_query(
        "select cast(min(case when previous_event_at < event_at then previous_event_at else event_at end) as "
        ~ api.Column.translate_type('string') ~ ") from (" ~ visitor_changes() ~ ") as changes where event_type in ('"
        ~ event_types | join("', '") ~ "')").rows[0][0] -%}
    {{ return(none if found is none else "cast('" ~ found ~ "' as " ~ api.Column.translate_type('timestamp') ~ ")") }}
{%- endmacro %}
