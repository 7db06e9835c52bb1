{% macro bigquery_delete_insert_sql(tmp_relation, target_relation, sql, unique_key, partition_by, dest_columns, tmp_relation_exists, incremental_predicates) %}
{#-
    delete+insert on BigQuery: delete the target rows of every incoming key,
    then insert the incoming rows. dbt-core's default uses `(a, b) in (select
    a, b ...)`, which BigQuery refuses, so the keys are matched with EXISTS.

    Partition pruning: with a date partition and meta.prune_partitions (the
    fact marts' date column, their partition, dbt_project.yml), the deletion is
    limited to partitions from the earliest incoming date minus
    var('processing_window_days'). That date is read from the
    small temp table first and written into the statement as a constant,
    because BigQuery prunes partitions only on constant filters. A daily run
    then scans the new partitions plus the window, not all history.
-#}
    {%- set keys = [unique_key] if unique_key is string else unique_key -%}
    {%- set source = tmp_relation if tmp_relation_exists else '(' ~ sql ~ ')' -%}
    {%- set columns = get_quoted_csv(dest_columns | map(attribute="name")) -%}
    {%- set predicates = [] if incremental_predicates is none else [] + incremental_predicates -%}
    {%- set prune = (config.get('meta') or {}).get('prune_partitions', false) -%}
    {%- set lookback = var('processing_window_days') -%}
    {%- if partition_by and partition_by.field and prune and tmp_relation_exists and execute -%}
        {%- set field = adapter.quote(partition_by.field) -%}
        {%- set earliest = run_query('select cast(min(date(' ~ field ~ ')) as string) from ' ~ tmp_relation).columns[0].values()[0] -%}
        {%- if earliest -%}
            {%- set bound = "date_sub(date '" ~ earliest ~ "', interval " ~ (lookback | int) ~ " day)" -%}
            {#- the bare partition column, or BigQuery does not prune -#}
            {%- if partition_by.data_type | lower == 'date' -%}
                {%- do predicates.append("DBT_INTERNAL_DEST." ~ field ~ " >= " ~ bound) -%}
            {%- else -%}
                {%- do predicates.append("DBT_INTERNAL_DEST." ~ field ~ " >= timestamp(" ~ bound ~ ")") -%}
            {%- endif -%}
        {%- endif -%}
    {%- endif %}
    {#- One MERGE on false: every incoming row is inserted, every target row of an
        incoming key deleted, atomically (a DELETE then INSERT would be two jobs,
        and the emulator of the tests has no DELETE statement). -#}
    merge into {{ target_relation }} as DBT_INTERNAL_DEST
    using {{ source }} as DBT_INTERNAL_SOURCE
    on false
    when not matched then insert ({{ columns }}) values ({{ columns }})
    when not matched by source
        and exists (
            select 1 from {{ source }} as DBT_INTERNAL_KEYS
            where {% for key in keys %}DBT_INTERNAL_KEYS.{{ key }} = DBT_INTERNAL_DEST.{{ key }}{% if not loop.last %} and {% endif %}{% endfor %}
        )
        {%- for predicate in predicates %}
        and {{ predicate }}
        {%- endfor %}
        then delete
{% endmacro %}
