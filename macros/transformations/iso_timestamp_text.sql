{% macro iso_timestamp_text(expression) %}
{#- A UTC timestamp as ISO-8601 text with a Z (2021-01-21T14:25:00Z), the form custom timestamps take. -#}
    {{ return(adapter.dispatch('iso_timestamp_text', 'retail_imports')(expression)) }}
{% endmacro %}

{% macro default__iso_timestamp_text(expression) -%}
    strftime({{ expression }}, '%Y-%m-%dT%H:%M:%SZ')
{%- endmacro %}

{% macro bigquery__iso_timestamp_text(expression) -%}
    format_timestamp('%Y-%m-%dT%H:%M:%SZ', {{ expression }})
{%- endmacro %}
