{% macro type_double() %}
{#- A double-precision float (dbt.type_float() is single precision `float` on DuckDB). -#}
    {{ return(adapter.dispatch('type_double', 'retail_imports')()) }}
{% endmacro %}

{% macro default__type_double() %}double{% endmacro %}

{% macro bigquery__type_double() %}float64{% endmacro %}
