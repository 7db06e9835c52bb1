{% macro json_field(record, key) %}
{#- One field of a JSON text record as a JSON value (keeping its type), null when absent. -#}
    {{ return(adapter.dispatch('json_field', 'retail_imports')(record, key)) }}
{% endmacro %}

{% macro default__json_field(record, key) -%}
    json_extract({{ record }}, '$."{{ key | replace('\\', '\\\\') | replace('"', '\\"') | replace("'", "''") }}"')
{%- endmacro %}

{% macro bigquery__json_field(record, key) -%}
    json_query(safe.parse_json({{ record }}), '$."{{ key | replace('\\', '\\\\') | replace('"', '\\"') | replace("'", "\\'") }}"')
{%- endmacro %}
