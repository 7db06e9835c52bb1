{% macro json_array_rows(json_text, prefix) %}
{#-
    A join clause giving one row per element of a JSON list held as text:
    <prefix>_value (the element, JSON text) and <prefix>_position (from 0).
    A left join: a row whose list is empty or null is kept once, with nulls.
-#}
    {{ return(adapter.dispatch('json_array_rows', 'retail_imports')(json_text, prefix)) }}
{% endmacro %}

{% macro default__json_array_rows(json_text, prefix) -%}
    left join lateral (
        select
            unnest(cast(json_extract({{ json_text }}, '$[*]') as json[])) as {{ prefix }}_value,
            generate_subscripts(cast(json_extract({{ json_text }}, '$[*]') as json[]), 1) - 1 as {{ prefix }}_position
    ) as {{ prefix }}_rows on true
{%- endmacro %}

{% macro bigquery__json_array_rows(json_text, prefix) -%}
    left join unnest(json_query_array({{ json_text }})) as {{ prefix }}_value with offset as {{ prefix }}_position
{%- endmacro %}
