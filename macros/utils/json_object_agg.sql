{% macro json_object_agg(key_column, json_value_column) %}
{#- Aggregate key / JSON-value pairs into one JSON object (keys in name order). -#}
    {{ return(adapter.dispatch('json_object_agg', 'retail_imports')(key_column, json_value_column)) }}
{% endmacro %}

{% macro default__json_object_agg(key_column, json_value_column) -%}
    to_json(map_from_entries(list(
        {'k': {{ key_column }}, 'v': cast({{ json_value_column }} as json)} order by {{ key_column }}
    )))
{%- endmacro %}

{% macro bigquery__json_object_agg(key_column, json_value_column) -%}
    json_object(
        array_agg({{ key_column }} order by {{ key_column }}),
        array_agg(parse_json({{ json_value_column }}) order by {{ key_column }})
    )
{%- endmacro %}
