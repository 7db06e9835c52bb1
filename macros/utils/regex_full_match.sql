{% macro regex_full_match(expression, pattern) %}
{#- True when the whole text matches `pattern` (RE2 syntax), null when the text is null. -#}
    {{ return(adapter.dispatch('regex_full_match', 'retail_imports')(expression, pattern)) }}
{% endmacro %}

{% macro default__regex_full_match(expression, pattern) -%}
    regexp_full_match({{ expression }}, '{{ pattern | replace("'", "''") }}')
{%- endmacro %}

{% macro bigquery__regex_full_match(expression, pattern) -%}
    regexp_contains({{ expression }}, r'^(?:{{ pattern | replace("'", "\\'") }})$')
{%- endmacro %}
