{% macro get_incremental_replace_regions_sql(arg_dict) %}
{#-
    Incremental strategy 'replace_regions' (DuckDB; BigQuery routes it to
    bigquery_replace_regions_sql). A model rebuilt by region returns its
    rebuilt rows plus one marker row per region it rebuilt (macro
    with_regions). A region is every row of one unit (meta.regions.by, text
    columns such as retailer and visitor id) whose meta.regions.from column
    is at or after the marker's value (every row of the unit when the
    marker's value is null or the model has no `from`). Those rows are
    deleted, and so are the rows whose unique_key comes again; then the
    rebuilt rows are inserted, in one transaction. Unlike delete+insert on a
    key, a region whose rows all vanished is emptied too (a visitor id whose
    page views were re-delivered under another one). DECISIONLOG "Visitor
    models rebuild regions".

    On DuckDB the rows are found by two equality joins and deleted by row
    id: a delete whose condition ORs two correlated EXISTS was ten times
    slower. The rows go in ordered by their `from` (macro stored_order).
-#}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set keys = replaced_keys(arg_dict['unique_key']) -%}
    {%- set bound = replaced_bound(source, 'target_rows', arg_dict['dest_columns']) -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) %}
    delete from {{ target }}
    where rowid in (
        {%- if keys %}
        select target_rows.rowid
        from {{ target }} as target_rows
        inner join {{ source }} as incoming
            on {{ same_key(keys, 'incoming', 'target_rows') }}
        where not incoming._is_region_marker {{ bound }}
        union all
        {%- endif %}
        select target_rows.rowid
        from {{ target }} as target_rows
        inner join {{ source }} as regions
            on {{ same_region('regions', 'target_rows') }}
        where regions._is_region_marker {{ bound }}
    );

    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ source }} where not _is_region_marker {{ stored_order() }}
{%- endmacro %}


{% macro bigquery_replace_regions_sql(tmp_relation, target_relation, sql, unique_key, dest_columns, tmp_relation_exists) %}
{#-
    The replace_regions strategy on BigQuery (routed by bq_generate_incremental_build_sql):
    one MERGE ON FALSE that inserts the rebuilt rows and deletes the rows
    they replace, within the partitions from the earliest region start (see
    replaced_bound). dbt-bigquery makes no temporary table for a model with
    on_schema_change ignore; the markers are read twice, so this one is made
    here (dbt's temporary tables expire by themselves).
-#}
    {%- if not tmp_relation_exists -%}
        {%- do run_query(bq_create_table_as(none, True, tmp_relation, sql, 'sql')) -%}
    {%- endif -%}
    {%- set keys = replaced_keys(unique_key) -%}
    {%- set columns = get_quoted_csv(dest_columns | map(attribute='name')) %}
    merge into {{ target_relation }} as DBT_INTERNAL_DEST
    using (select * from {{ tmp_relation }} where not _is_region_marker) as DBT_INTERNAL_SOURCE
    on false
    when not matched then insert ({{ columns }}) values ({{ columns }})
    when not matched by source
        and (
            {%- if keys %}
            exists (
                select 1 from {{ tmp_relation }} as incoming
                where not incoming._is_region_marker and {{ same_key(keys, 'incoming', 'DBT_INTERNAL_DEST') }}
            )
            or
            {%- endif %}
            exists (
                select 1 from {{ tmp_relation }} as regions
                where regions._is_region_marker and {{ same_region('regions', 'DBT_INTERNAL_DEST') }}
            )
        )
        {{ replaced_bound(tmp_relation, 'DBT_INTERNAL_DEST', dest_columns) }}
        then delete
{% endmacro %}


{% macro replaced_keys(unique_key) %}
    {{ return([] if not unique_key else ([unique_key] if unique_key is string else unique_key)) }}
{% endmacro %}


{% macro same_key(keys, incoming, target_alias) -%}
    {%- for key in keys -%}
        {{ incoming }}.{{ key }} = {{ target_alias }}.{{ key }}{% if not loop.last %} and {% endif %}
    {%- endfor -%}
{%- endmacro %}


{% macro same_region(regions, target_alias) %}
{#- A target row in a marker's region: same unit (meta.regions.by), at or after its start (meta.regions.from). -#}
    {%- set spec = (config.get('meta') or {}).get('regions') or {} -%}
    {%- if not spec.get('by') -%}
        {% do exceptions.raise_compiler_error(
            "incremental_strategy 'replace_regions' needs meta.regions.by (the text columns of a region's unit) in "
            ~ model.name ~ "'s config") %}
    {%- endif -%}
    {%- set conditions = [] -%}
    {%- for column in spec['by'] -%}
        {#- a unit may leave a column empty (an anomaly names a visitor id or a CRM id) -#}
        {%- do conditions.append("coalesce(" ~ regions ~ "." ~ column ~ ", '') = coalesce(" ~ target_alias ~ "." ~ column ~ ", '')") -%}
    {%- endfor -%}
    {%- if spec.get('from') -%}
        {%- do conditions.append('(' ~ regions ~ '.' ~ spec['from'] ~ ' is null or ' ~ target_alias ~ '.' ~ spec['from']
                                 ~ ' >= ' ~ regions ~ '.' ~ spec['from'] ~ ')') -%}
    {%- endif -%}
    {{ conditions | join(' and ') }}
{%- endmacro %}


{% macro replaced_bound(source, target_alias, dest_columns) %}
{#-
    `and <target>.<column> >= <constant>`, bounding the rows a replace_regions
    run replaces: the smallest meta.regions.from among the incoming rows and
    markers, read from the small temporary table and written as a constant
    (BigQuery prunes partitions only on constants, and on its partition
    column; DuckDB skips row groups by their min / max). Every row a run
    replaces is at or after it: a row replaced by key comes again with its
    `from`, or its region's marker starts before it. Empty when a marker
    covers a whole unit or the model has no `from`.
-#}
    {%- set start = ((config.get('meta') or {}).get('regions') or {}).get('from') -%}
    {%- if not start or not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set found = run_query(
        'select cast(min(' ~ start ~ ') as ' ~ api.Column.translate_type('string') ~ '), '
        ~ 'count(case when _is_region_marker and ' ~ start ~ ' is null then 1 end) from ' ~ source).rows[0] -%}
    {%- if found[0] is none or found[1] > 0 -%}
        {{ return('') }}
    {%- endif -%}
    {%- set start_type = (dest_columns | selectattr('name', 'equalto', start) | first).data_type -%}
    {%- set earliest = "cast('" ~ found[0] ~ "' as " ~ start_type ~ ")" -%}
    {%- set partition = config.get('partition_by') if target.type == 'bigquery' else none -%}
    {%- if partition and partition.field and partition.field != start -%}
        {{ return('and ' ~ target_alias ~ '.' ~ partition.field ~ ' >= date(' ~ earliest ~ ')') }}
    {%- endif -%}
    {{ return('and ' ~ target_alias ~ '.' ~ start ~ ' >= ' ~ earliest) }}
{%- endmacro %}


{% macro stored_order(column=none) %}
{#-
    `order by <column>` (default: meta.regions.from) for the rows a model
    writes on DuckDB, which skips a row group by the min / max of its
    columns: rows written in hash or window order give every row group the
    whole time range, and a time-bounded read of the table (a region's
    stored visits, a fact's newest-delivery lookup) scans all its history.
    Written in time order, the row groups of older days are skipped. Empty
    on BigQuery (partitions prune there) and without a column.
-#}
    {%- set column = column or ((config.get('meta') or {}).get('regions') or {}).get('from') -%}
    {{ return('order by ' ~ column if column is string and target.type == 'duckdb' else '') }}
{%- endmacro %}
