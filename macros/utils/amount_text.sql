{% macro amount_text(expression) %}
{#- An amount as short text for messages (102.5, not 102.500000). -#}
    {{ return(adapter.dispatch('amount_text', 'retail_imports')(expression)) }}
{% endmacro %}

{% macro default__amount_text(expression) %}cast(cast({{ expression }} as double) as varchar){% endmacro %}

{% macro bigquery__amount_text(expression) %}cast(cast({{ expression }} as float64) as string){% endmacro %}
