{% macro regexp_capture(expression, pattern) %}
{#-
    The first capture group of `pattern` in `expression`, or null when it does
    not match. DuckDB returns '' for no match and takes the group number;
    BigQuery returns null and the only group. Patterns must hold no quote or
    backslash (they are written into a SQL string literal as they are).
-#}
    {{ return(adapter.dispatch('regexp_capture', 'retail_imports')(expression, pattern)) }}
{% endmacro %}

{% macro default__regexp_capture(expression, pattern) -%}
    nullif(regexp_extract({{ expression }}, '{{ pattern }}', 1), '')
{%- endmacro %}

{% macro bigquery__regexp_capture(expression, pattern) -%}
    nullif(regexp_extract({{ expression }}, r'{{ pattern }}'), '')
{%- endmacro %}
