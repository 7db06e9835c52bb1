{% macro get_where_subquery(relation) -%}
{#-
    Overrides dbt's macro of the same name: what a generic data test reads.
    Besides the test's own `where`, a daily `retail-imports run` scopes the
    test to the rows of this run (DECISIONLOG "Data tests on a daily run").
    The loader sets RETAIL_TESTS_AFTER_LOAD_ID to the newest load id of the
    last build that succeeded; the tested model names in meta.test_scope the
    column telling which load its rows come from (_load_id, or
    _changes_load_id for the visitor models), and the test reads only rows
    above it. A key test (unique, unique_combination_of_columns) reads every row
    sharing a key with such a row, so a new key that repeats an old one is
    still caught. Without the variable (`run --full-tests`, a plain
    `dbt build`), or for a model without meta.test_scope, the test reads the
    whole relation. Read at run time: changing it does not make dbt parse
    the project again, as a --vars value would.
-#}
    {%- set conditions = [] -%}
    {%- if config.get('where') -%}
        {%- do conditions.append('(' ~ config.get('where') ~ ')') -%}
    {%- endif -%}
    {%- set scope = test_run_scope(relation) -%}
    {%- if scope -%}
        {%- do conditions.append(scope) -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- do return('(select * from ' ~ relation ~ ' as tested_rows where ' ~ conditions | join(' and ') ~ ') dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}


{% macro test_run_scope(relation) %}
{#- The condition on `tested_rows` limiting the current test to this run's rows, or none (see get_where_subquery). -#}
    {#- read only when executing: an env_var read while parsing is recorded by dbt's partial
        parsing, which then parses every schema file with a test again when the value changes
        (each run): 20 to 30 s of a build on 2 cores -#}
    {%- if not execute or not model.get('attached_node') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set after = env_var('RETAIL_TESTS_AFTER_LOAD_ID', '') -%}
    {%- if not after -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set tested = graph.nodes.get(model.attached_node) -%}
    {%- set column = ((tested or {}).get('config', {}).get('meta') or {}).get('test_scope') if tested else none -%}
    {%- if not column -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set new_rows = column ~ ' > ' ~ (after | int) -%}
    {%- set test = model.get('test_metadata') or {} -%}
    {%- set keys = [test.kwargs.column_name] if test.name == 'unique' else (test.kwargs.combination_of_columns or []) if test.name == 'unique_combination_of_columns' else [] -%}
    {%- if keys -%}
        {%- set same_key = [] -%}
        {%- for key in keys -%}
            {%- do same_key.append('run_rows.' ~ key ~ ' = tested_rows.' ~ key) -%}
        {%- endfor -%}
        {{ return('exists (select 1 from ' ~ relation ~ ' as run_rows where run_rows.' ~ new_rows ~ ' and '
                  ~ same_key | join(' and ') ~ ')') }}
    {%- endif -%}
    {{ return('tested_rows.' ~ new_rows) }}
{% endmacro %}


{% macro tested_relation(tested) %}
{#- The relation a generic test checks, for the macros that read its columns: `tested` itself, or,
    when get_where_subquery scoped it to this run's rows (a subquery, as text), the tested model. -#}
    {%- if tested is string and execute and model.get('attached_node') -%}
        {%- set node = graph.nodes.get(model.attached_node) -%}
        {{ return(api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias)) }}
    {%- endif -%}
    {{ return(tested) }}
{% endmacro %}
