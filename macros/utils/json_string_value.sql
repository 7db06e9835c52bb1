{% macro json_string_value(json_text) %}
{#- The text of a JSON string value ('"abc"' -> 'abc'). -#}
    {{ return(adapter.dispatch('json_string_value', 'retail_imports')(json_text)) }}
{% endmacro %}

{% macro default__json_string_value(json_text) -%}
    json_extract_string({{ json_text }}, '$')
{%- endmacro %}

{% macro bigquery__json_string_value(json_text) -%}
    json_value({{ json_text }}, '$')
{%- endmacro %}
