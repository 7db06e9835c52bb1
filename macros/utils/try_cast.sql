{% macro try_cast(expression, type) %}
{#-
    Cast that gives null instead of failing on text that does not cast.
    dbt.safe_cast is a plain cast on DuckDB (it fails the whole query on one
    bad value), so staging uses this one.
-#}
    {{ return(adapter.dispatch('try_cast', 'retail_imports')(expression, type)) }}
{% endmacro %}

{% macro default__try_cast(expression, type) -%}
    try_cast({{ expression }} as {{ type }})
{%- endmacro %}

{% macro bigquery__try_cast(expression, type) -%}
    safe_cast({{ expression }} as {{ type }})
{%- endmacro %}
