{% macro bigquery_source_rows(source_name, table_name, columns) %}
{#-
    The rows of a source of kind `bigquery` (tables already in BigQuery: a
    GA4 export's events_YYYYMMDD, README "GA4 / BigQuery export"), shaped
    like a raw table of the loader: each of `columns` (top-level field names)
    as text, nested records and lists as their JSON text, plus the lineage
    columns, so stage_source treats them like landed rows.
    Only the tables the loader registered in loader.files since this model
    last ran are read, each named in the query (a daily table registered
    replaces the intraday one of its day), so BigQuery scans those tables
    and no other; at most var('bigquery_source_max_tables') per run (a
    query may name 1,000 tables), the rest in the next runs. Each table's
    rows go through TO_JSON, so a field a day's table lacks (the export
    schema grows over the years) is null rather than an error.
    _line_number is the event's place in its table by time.
-#}
    {%- set files = source('loader', 'files') -%}
    {%- set newest = 0 -%}
    {%- if is_incremental() -%}
        {%- set newest = run_query("select coalesce(max(_load_id), 0) from " ~ this).columns[0].values()[0] -%}
    {%- endif -%}
    {%- set tables = run_query(
        "select file_name, cast(file_date as string), load_id, cast(finished_at as string) from " ~ files ~ " as f"
        ~ " where retailer = " ~ text_literal(source_name) ~ " and dataset = " ~ text_literal(table_name)
        ~ " and status = 'landed' and load_id > " ~ newest
        ~ " and not exists (select 1 from " ~ files ~ " as d where d.retailer = f.retailer and d.dataset = f.dataset"
        ~ " and d.status = 'landed' and d.file_name = replace(f.file_name, '.events_intraday_', '.events_')"
        ~ " and d.file_name != f.file_name)"
        ~ " order by load_id limit " ~ var('bigquery_source_max_tables')
    ).rows if execute else [] -%}
    {%- set fields = [] -%}
    {%- for name in columns -%}
        {%- set path = "'$." ~ '"' ~ name ~ '"' ~ "'" -%}
        {%- do fields.append("coalesce(json_value(_event, " ~ path ~ "), nullif(to_json_string(json_query(_event, "
            ~ path ~ ")), 'null')) as " ~ adapter.quote(name)) -%}
    {%- endfor -%}
    {%- for file_name, file_date, load_id, loaded_at in tables %}
    select
        {{ fields | join(',\n        ') }},
        {{ text_literal(file_name) }} as _source_file,
        date {{ text_literal(file_date) }} as _file_date,
        row_number() over (
            order by
                safe_cast(json_value(_event, '$.event_timestamp') as int64),
                json_value(_event, '$.event_name'),
                json_value(_event, '$.user_pseudo_id'),
                json_value(_event, '$.event_bundle_sequence_id')
        ) as _line_number,
        timestamp {{ text_literal(loaded_at) }} as _loaded_at,
        {{ text_literal(source_name) }} as _retailer,
        {{ load_id }} as _load_id
    from (select to_json(export_table) as _event from `{{ file_name }}` as export_table)
    {{ 'union all' if not loop.last }}
    {%- else %}
    -- no new table: no rows, in the shape of the others
    select
        {%- for name in columns %}
        cast(null as string) as {{ adapter.quote(name) }},
        {%- endfor %}
        cast(null as string) as _source_file,
        cast(null as date) as _file_date,
        cast(null as int64) as _line_number,
        cast(null as timestamp) as _loaded_at,
        cast(null as string) as _retailer,
        cast(null as int64) as _load_id
    from (select 1) where false
    {%- endfor %}
{%- endmacro %}
