{% macro json_path_text(json_text, path) %}
{#-
    The scalar at a dotted path (`web_info.browser`) of a JSON object held as
    text, as text; null when absent. Numbers come back as they are written.
-#}
    {%- set quoted = [] -%}
    {%- for key in path.split('.') -%}
        {%- do quoted.append('"' ~ key ~ '"') -%}
    {%- endfor -%}
    {{ return(adapter.dispatch('json_path_text', 'retail_imports')(json_text, '$.' ~ quoted | join('.'))) }}
{% endmacro %}

{% macro default__json_path_text(json_text, json_path) -%}
    json_extract_string({{ json_text }}, '{{ json_path }}')
{%- endmacro %}

{% macro bigquery__json_path_text(json_text, json_path) -%}
    json_value({{ json_text }}, '{{ json_path }}')
{%- endmacro %}
