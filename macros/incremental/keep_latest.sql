{% macro keep_latest(cte, key) %}
{#-
    Candidate rows for "one row per key, newest delivery wins". In an
    incremental run the rows already in the table for the incoming keys are
    candidates too, so a back-filled older file never overwrites a newer
    version of the same record. Columns are matched by name against the
    existing table (a mart whose columns change needs --full-refresh; its
    on_schema_change='fail' says so).
-#}
    {%- if is_incremental() -%}
        {%- set names = [] -%}
        {%- for column in adapter.get_columns_in_relation(this) -%}
            {%- do names.append(adapter.quote(column.name)) -%}
        {%- endfor %}
    select
        {{ names | join(',\n        ') }}
    from {{ cte }}
    union all
    select
        {{ names | join(',\n        ') }}
    from {{ this }}
    where {{ key }} in (select {{ key }} from {{ cte }})
    {%- else %}
    select * from {{ cte }}
    {%- endif %}
{%- endmacro %}
