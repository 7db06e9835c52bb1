{% macro safe_divide(numerator, denominator) %}
{#- numerator / denominator as a double-precision share; null when the denominator is 0 or null. -#}
    {{ return(adapter.dispatch('safe_divide', 'retail_imports')(numerator, denominator)) }}
{% endmacro %}

{% macro default__safe_divide(numerator, denominator) -%}
    cast({{ numerator }} as double) / nullif({{ denominator }}, 0)
{%- endmacro %}

{% macro bigquery__safe_divide(numerator, denominator) -%}
    safe_divide({{ numerator }}, {{ denominator }})
{%- endmacro %}
