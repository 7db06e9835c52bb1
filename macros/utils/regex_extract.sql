{% macro regex_extract(expression, pattern) %}
{#- The first capture group of `pattern` (RE2 syntax) in the text; null when it does not match. -#}
    {{ return(adapter.dispatch('regex_extract', 'retail_imports')(expression, pattern)) }}
{% endmacro %}

{% macro default__regex_extract(expression, pattern) -%}
    nullif(regexp_extract({{ expression }}, '{{ pattern | replace("'", "''") }}', 1), '')
{%- endmacro %}

{% macro bigquery__regex_extract(expression, pattern) -%}
    nullif(regexp_extract({{ expression }}, r'{{ pattern | replace("'", "\\'") }}'), '')
{%- endmacro %}
