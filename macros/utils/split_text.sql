{% macro split_text(expression, separator) %}
{#- A text split into a list at every `separator`. -#}
    {{ return(adapter.dispatch('split_text', 'retail_imports')(expression, separator)) }}
{% endmacro %}

{% macro default__split_text(expression, separator) -%}
    string_split({{ expression }}, '{{ separator }}')
{%- endmacro %}

{% macro bigquery__split_text(expression, separator) -%}
    split({{ expression }}, '{{ separator }}')
{%- endmacro %}
