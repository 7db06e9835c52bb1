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
    {#- one single-member object per set value, its braces cut and the members
        joined: json_strip_nulls would be shorter, but the emulator of the
        tests lacks it (README "Running on BigQuery") -#}
    {%- set members = [] -%}
    {%- for i in range(keys | length) -%}
        {%- do members.append("if(" ~ values[i] ~ " is null, null, regexp_replace(to_json_string(json_object(" ~ keys[i] ~ ", " ~ values[i] ~ ")), r'^[{]|[}]$', ''))") -%}
    {%- endfor -%}
    nullif(concat('{', array_to_string([{{ members | join(', ') }}], ','), '}'), '{}')
{%- endmacro %}
