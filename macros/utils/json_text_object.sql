{% macro json_text_object(pairs) %}
{#-
    A JSON object as text from (key, value expression) pairs, leaving out
    null values; null when no value is set. Keys are data (header text), so
    they go in as escaped literals.
-#}
    {{ return(adapter.dispatch('json_text_object', 'retail_imports')(pairs)) }}
{% endmacro %}

{% macro default__json_text_object(pairs) %}
    {%- set items = [] -%}
    {%- for key, value in pairs -%}
        {%- do items.append(text_literal(key) ~ ', ' ~ value) -%}
    {%- endfor -%}
    {#- json_merge_patch drops the keys whose value is null -#}
    nullif(cast(json_merge_patch('{}', json_object({{ items | join(', ') }})) as {{ dbt.type_string() }}), '{}')
{%- endmacro %}

{% macro bigquery__json_text_object(pairs) %}
    {%- set keys, values = [], [] -%}
    {%- for key, value in pairs -%}
        {%- do keys.append(text_literal(key)) -%}
        {%- do values.append(value) -%}
    {%- endfor -%}
    nullif(to_json_string(json_strip_nulls(json_object([{{ keys | join(', ') }}], [{{ values | join(', ') }}]))), '{}')
{%- endmacro %}
