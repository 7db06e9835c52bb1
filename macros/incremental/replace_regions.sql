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
-#}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) %}
    delete from {{ arg_dict['target_relation'] }} as target_rows
    where {{ replaced_rows(arg_dict['temp_relation'], 'target_rows', arg_dict['unique_key'], arg_dict['dest_columns']) }};

    insert into {{ arg_dict['target_relation'] }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }} where not _is_region_marker
{%- endmacro %}


{% macro replaced_rows(source, target_alias, unique_key, dest_columns) %}
{#-
    The condition on `target_alias` naming the rows that the incoming rows
    and region markers of `source` replace (see get_incremental_replace_regions_sql),
    shared by its DuckDB and BigQuery forms. It is bounded by a constant, the
    smallest `from` among the incoming rows and markers, read from the small
    temporary table: BigQuery prunes partitions only on constants, DuckDB
    skips row groups by their min / max. Every row a run replaces is at or
    after that bound (the models make sure of it: a row replaced by key comes
    again with its `from`, or its region's marker starts before it).
-#}
    {%- set spec = (config.get('meta') or {}).get('regions') or {} -%}
    {%- if not spec.get('by') -%}
        {% do exceptions.raise_compiler_error(
            "incremental_strategy 'replace_regions' needs meta.regions.by (the text columns of a region's unit) in "
            ~ model.name ~ "'s config") %}
    {%- endif -%}
    {%- set keys = [] if not unique_key else ([unique_key] if unique_key is string else unique_key) -%}
    {%- set start = spec.get('from') -%}
    {%- set conditions = [] -%}
    {%- if keys -%}
        {%- set same_key = [] -%}
        {%- for key in keys -%}
            {%- do same_key.append('incoming.' ~ key ~ ' = ' ~ target_alias ~ '.' ~ key) -%}
        {%- endfor -%}
        {%- do conditions.append('exists (select 1 from ' ~ source ~ ' as incoming where not incoming._is_region_marker and '
                                 ~ same_key | join(' and ') ~ ')') -%}
    {%- endif -%}
    {%- set in_region = [] -%}
    {%- for column in spec['by'] -%}
        {#- a unit may leave a column empty (an anomaly names a visitor id or a CRM id) -#}
        {%- do in_region.append("coalesce(regions." ~ column ~ ", '') = coalesce(" ~ target_alias ~ "." ~ column ~ ", '')") -%}
    {%- endfor -%}
    {%- if start -%}
        {%- do in_region.append('(regions.' ~ start ~ ' is null or ' ~ target_alias ~ '.' ~ start ~ ' >= regions.' ~ start ~ ')') -%}
    {%- endif -%}
    {%- do conditions.append('exists (select 1 from ' ~ source ~ ' as regions where regions._is_region_marker and '
                             ~ in_region | join(' and ') ~ ')') -%}
    ({{ conditions | join('\n        or ') }})
    {%- if start and execute -%}
        {%- set found = run_query(
            'select cast(min(' ~ start ~ ') as ' ~ api.Column.translate_type('string') ~ '), '
            ~ 'count(case when _is_region_marker and ' ~ start ~ ' is null then 1 end) from ' ~ source).rows[0] -%}
        {%- if found[0] is not none and found[1] == 0 -%}
            {%- set start_type = (dest_columns | selectattr('name', 'equalto', start) | first).data_type -%}
            {%- set earliest = 'cast(' ~ "'" ~ found[0] ~ "' as " ~ start_type ~ ')' -%}
            {%- set partition = config.get('partition_by') if target.type == 'bigquery' else none -%}
            {%- if partition and partition.field and partition.field != start %}
        and {{ target_alias }}.{{ partition.field }} >= date({{ earliest }})
            {%- else %}
        and {{ target_alias }}.{{ start }} >= {{ earliest }}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
