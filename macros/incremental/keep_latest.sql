{% macro keep_latest(cte, key) %}
{#-
    Candidate rows for "one row per key, newest delivery wins". In an
    incremental run the rows already in the table for the incoming keys are
    candidates too, so a back-filled older file never overwrites a newer
    version of the same record. Columns are matched by name against the
    existing table (a mart whose columns change needs --full-refresh; its
    on_schema_change='fail' says so). For a fact with meta.prune_partitions
    (its date column), stored rows are looked for from the incoming rows'
    earliest date less processing_window_days only (macro prune_window), as
    its delete looks for them: a daily run does not read every key of its
    history.
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
    where {{ key }} in (select {{ key }} from {{ cte }}) {{ prune_window(cte) }}
    {%- else %}
    select * from {{ cte }}
    {%- endif %}
{%- endmacro %}


{% macro prune_window(incoming, column_prefix='', as_constant=false) %}
{#-
    `and <date column> >= <earliest incoming date - processing_window_days>`
    for a fact with meta.prune_partitions (the name of its date column), as a
    scalar subquery on `incoming` (DuckDB turns it into a scan filter);
    empty for other models. A row whose date moved later by more than the
    window between deliveries is not found: the fact's unique test fails on
    the two rows (README "Running on BigQuery"). With as_constant (for a
    relation, not a CTE) the earliest date is read first and written as a
    constant: DuckDB skips row groups by their min / max on a constant
    only, and evaluates the scalar subquery after reading the whole column.
-#}
    {%- set column = (config.get('meta') or {}).get('prune_partitions') -%}
    {%- if not column or column is sameas true -%}
        {{ return('') }}
    {%- endif -%}
    {%- set earliest = '(select min(' ~ column ~ ') from ' ~ incoming ~ ')' -%}
    {%- if as_constant and execute -%}
        {%- set found = run_query('select cast(min(' ~ column ~ ') as ' ~ api.Column.translate_type('string')
                                  ~ ') from ' ~ incoming).rows[0][0] -%}
        {%- if found is not none -%}
            {%- set earliest = "cast('" ~ found ~ "' as date)" -%}
        {%- endif -%}
    {%- endif -%}
    {{ return('and ' ~ column_prefix ~ column ~ ' >= ' ~ dbt.dateadd('day', -var('processing_window_days'), earliest)) }}
{%- endmacro %}
