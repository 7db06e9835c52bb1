{% macro unnest_text_list(list_expression, alias, column) %}
{#- A FROM-clause item (lateral) giving one row, <alias>.<column>, per element of a text list. -#}
    {{ return(adapter.dispatch('unnest_text_list', 'retail_imports')(list_expression, alias, column)) }}
{% endmacro %}

{% macro default__unnest_text_list(list_expression, alias, column) -%}
    unnest({{ list_expression }}) as {{ alias }} ({{ column }})
{%- endmacro %}

{% macro bigquery__unnest_text_list(list_expression, alias, column) -%}
    unnest(array(select as struct element as {{ column }} from unnest({{ list_expression }}) as element)) as {{ alias }}
{%- endmacro %}
