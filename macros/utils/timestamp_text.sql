{% macro timestamp_text(expression) %}
{#-
    A UTC timestamp as text, `2024-06-01 10:00:00[.fff]`, the same on every
    warehouse: keys are hashed from it, so a mart built on DuckDB and one built
    on BigQuery give the same keys. (A plain cast to string gives a trailing
    `+00` on BigQuery.)
-#}
    {{ return(adapter.dispatch('timestamp_text', 'retail_imports')(expression)) }}
{% endmacro %}

{% macro default__timestamp_text(expression) -%}
    {{ dbt.safe_cast(expression, dbt.type_string()) }}
{%- endmacro %}

{% macro bigquery__timestamp_text(expression) -%}
    cast(datetime({{ expression }}) as string)
{%- endmacro %}
