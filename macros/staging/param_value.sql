{% macro param_value(json_text, key) %}
{#-
    A column's `param` option: the value of the entry named `key` in a list of
    GA4 key / value records held as JSON text (event_params, user_properties:
    [{key, value: {string_value, int_value, float_value, double_value}}]),
    whichever of the typed values is set, as text; null when the key is absent.
-#}
    {{ return(adapter.dispatch('param_value', 'retail_imports')(json_text, key)) }}
{% endmacro %}

{% macro default__param_value(json_text, key) -%}
    list_filter(
        json_extract_string(
            list_filter(
                cast(json_extract({{ json_text }}, '$[*]') as json[]),
                lambda entry: json_extract_string(entry, '$.key') = {{ text_literal(key) }}
            )[1],
            ['$.value.string_value', '$.value.int_value', '$.value.double_value', '$.value.float_value']
        ),
        lambda value: value is not null
    )[1]
{%- endmacro %}

{% macro bigquery__param_value(json_text, key) -%}
    (
        select coalesce(
            json_value(entry, '$.value.string_value'), json_value(entry, '$.value.int_value'),
            json_value(entry, '$.value.double_value'), json_value(entry, '$.value.float_value')
        )
        from unnest(json_query_array({{ json_text }})) as entry
        where json_value(entry, '$.key') = {{ text_literal(key) }}
        limit 1
    )
{%- endmacro %}
