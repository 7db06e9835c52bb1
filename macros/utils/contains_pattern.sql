{% macro contains_pattern(expression, pattern) %}
{#- True when the lower-cased `expression` contains a match of the (lower-case) regular expression `pattern`. -#}
    {{ return(adapter.dispatch('contains_pattern', 'retail_imports')(expression, pattern)) }}
{% endmacro %}

{% macro default__contains_pattern(expression, pattern) -%}
    coalesce(regexp_matches(lower({{ expression }}), '{{ pattern }}'), false)
{%- endmacro %}

{% macro bigquery__contains_pattern(expression, pattern) -%}
    coalesce(regexp_contains(lower({{ expression }}), r'{{ pattern }}'), false)
{%- endmacro %}
