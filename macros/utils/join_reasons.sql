{% macro join_reasons(expressions) %}
{#- Join nullable text expressions with '; ', skipping nulls; null when all are null. -#}
    {{ return(adapter.dispatch('join_reasons', 'retail_imports')(expressions)) }}
{% endmacro %}

{% macro default__join_reasons(expressions) %}
    {%- if expressions | length == 0 -%}
        cast(null as {{ dbt.type_string() }})
    {%- else -%}
        nullif(concat_ws('; ', {{ expressions | join(', ') }}), '')
    {%- endif -%}
{% endmacro %}

{% macro bigquery__join_reasons(expressions) %}
    {%- if expressions | length == 0 -%}
        cast(null as string)
    {%- else -%}
        nullif(array_to_string([{{ expressions | join(', ') }}], '; '), '')
    {%- endif -%}
{% endmacro %}
