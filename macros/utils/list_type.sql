{% macro list_type() %}
{#- The type of a list of texts. -#}
    {{ return(adapter.dispatch('list_type', 'retail_imports')()) }}
{% endmacro %}

{% macro default__list_type() %}{{ return(dbt.type_string() ~ '[]') }}{% endmacro %}

{% macro bigquery__list_type() %}{{ return('array<string>') }}{% endmacro %}
