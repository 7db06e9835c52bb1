{% test required_values(model, format) %}
{#-
    Valid rows of `format` in `model` hold every value the format declares
    required (required: true), except the fields a retailer's source makes
    optional (meta.loader.optional_columns). Columns are the format's staging
    names, those the model carries. One row per missing value, named by file
    and line.
-#}
    {{ return(adapter.dispatch('test_required_values', 'retail_imports')(model, format)) }}
{% endtest %}

{% macro default__test_required_values(model, format) %}
    {%- if not execute -%}
        {{ return('select 1 as placeholder') }}
    {%- endif -%}
    {#- field -> retailers whose source of this format makes it optional -#}
    {%- set waived = {} -%}
    {%- for node in graph.sources.values() -%}
        {%- set loader = node.config.get('meta', {}).get('loader') or node.meta.get('loader') or {} -%}
        {%- set optional = loader.get('optional_columns') or [] -%}
        {%- for field in ([optional] if optional is string else optional) if loader.get('format') == format -%}
            {%- do waived.setdefault(field, []).append(node.source_name) -%}
        {%- endfor -%}
    {%- endfor -%}
    {#- columns the model does not carry (Shopify's order name and id stop at staging) are staging's to check -#}
    {%- set carried = [] -%}
    {%- for column in adapter.get_columns_in_relation(tested_relation(model)) -%}{%- do carried.append(column.name | lower) -%}{%- endfor -%}
    {%- set checks = [] -%}
    {%- for column in format_spec(format)['columns'] if column.get('required') and column.name | lower in carried -%}
        {%- set retailers = [] -%}
        {%- for retailer in waived.get(column.source, []) -%}{%- do retailers.append(text_literal(retailer)) -%}{%- endfor -%}
        {%- do checks.append(
            "select _source_file, _line_number, " ~ text_literal(column.source) ~ " as missing_value from " ~ model
            ~ " where _source_format = " ~ text_literal(format) ~ " and _rejection_reason is null and "
            ~ column.name ~ " is null" ~ (" and retailer not in (" ~ retailers | join(', ') ~ ")" if retailers else "")) -%}
    {%- endfor -%}
    {%- if checks -%}
        {{ checks | join('\nunion all\n') }}
    {%- else -%}
        select _source_file, _line_number, cast(null as {{ dbt.type_string() }}) as missing_value from {{ model }} where 1 = 0
    {%- endif -%}
{% endmacro %}
