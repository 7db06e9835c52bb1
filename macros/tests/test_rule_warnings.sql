{% test rule_warnings(model, format, limit=50) %}
{#-
    Rows of `format` in `model` that break a rule the format declares with
    severity: warn (its `rules:` block, e.g. Shopify's totals): rules the
    vendor does not state, so the rows are kept and this test warns (run it
    at warn level). Valid rows only; a rule on order columns is judged once
    per order (line_position = 1) when the model has one row per line. The
    first `limit` rows are written to the dbt output, one line each:
    file:line: reason.
-#}
    {%- set sql = adapter.dispatch('test_rule_warnings', 'retail_imports')(model, format) -%}
    {%- if execute and flags.WHICH in ('build', 'test') -%}
        {%- set found = run_query("select _source_file, _line_number, reason, count(*) over () as total from ("
            ~ sql ~ ") as warned order by _source_file, _line_number limit " ~ limit) -%}
        {%- for row in found.rows -%}
            {%- do log("  warning " ~ row[0] ~ ":" ~ row[1] ~ ": " ~ row[2], info=True) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(sql) }}
{% endtest %}

{% macro default__test_rule_warnings(model, format) %}
    {%- if not execute -%}
        {{ return('select 1 as placeholder') }}
    {%- endif -%}
    {%- set spec = format_spec(format) -%}
    {%- set carried = [] -%}
    {%- for column in adapter.get_columns_in_relation(tested_relation(model)) -%}{%- do carried.append(column.name | lower) -%}{%- endfor -%}
    {%- set values, staged_as = {}, {} -%}
    {%- for column in spec['columns'] if column.get('source') and column.name | lower in carried -%}
        {%- do values.setdefault(column.source, column.name) -%}
    {%- endfor -%}
    {%- set order_level = [] -%}
    {%- for column in entity_columns(spec.entity) if column.get('level') == 'order' -%}
        {%- do order_level.append(column.name) -%}
    {%- endfor -%}
    {%- set checks = [] -%}
    {%- for rule in spec.get('rules', []) if rule.get('severity') == 'warn' -%}
        {%- set once = ' and line_position = 1' if values.get(rule.total) in order_level and 'line_position' in carried else '' -%}
        {%- do checks.append("select _source_file, _line_number, " ~ rule_reason(rule, values) ~ " as reason from " ~ model
            ~ " where _source_format = " ~ text_literal(format) ~ " and _rejection_reason is null" ~ once) -%}
    {%- endfor -%}
    {%- if checks -%}
        select * from ({{ checks | join('\nunion all\n') }}) as checked where reason is not null
    {%- else -%}
        select _source_file, _line_number, cast(null as {{ dbt.type_string() }}) as reason from {{ model }} where 1 = 0
    {%- endif -%}
{% endmacro %}
