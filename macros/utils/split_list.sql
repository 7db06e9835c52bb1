{% macro split_list(expression, separator=';') %}
{#- Text like 'a; b;;c' to a list of its trimmed, non-empty items ['a', 'b', 'c']; null stays null. -#}
    {{ return(adapter.dispatch('split_list', 'retail_imports')(expression, separator)) }}
{% endmacro %}

{% macro default__split_list(expression, separator) %}
    list_filter(list_transform(string_split({{ expression }}, {{ text_literal(separator) }}), lambda item: trim(item)), lambda item: item <> '')
{%- endmacro %}

{% macro bigquery__split_list(expression, separator) %}
    case when {{ expression }} is not null then array(
        select trim(item) from unnest(split({{ expression }}, {{ text_literal(separator) }})) as item
        where trim(item) <> ''
    ) end
{%- endmacro %}
