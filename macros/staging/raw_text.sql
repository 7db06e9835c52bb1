{% macro raw_text(column_name) %}
{#- A raw column as trimmed text, empty meaning missing; a typed null when the file never had it. -#}
    {%- if column_name is none -%}
        cast(null as {{ dbt.type_string() }})
    {%- else -%}
        nullif(trim({{ quote_column(column_name) }}), '')
    {%- endif -%}
{% endmacro %}
