{% test unique_combination_of_columns(model, combination_of_columns, quote_columns=false) %}
{#-
    The combination of columns identifies a row (multi-column key). dbt_utils'
    name and arguments, so the real package can replace it; the failing rows
    are the duplicated combinations with their count.
-#}
    {{ return(adapter.dispatch('test_unique_combination_of_columns', 'retail_imports')(model, combination_of_columns, quote_columns)) }}
{% endtest %}

{% macro default__test_unique_combination_of_columns(model, combination_of_columns, quote_columns=false) %}
{%- set columns = [] -%}
{%- for column in combination_of_columns -%}
    {%- do columns.append(adapter.quote(column) if quote_columns else column) -%}
{%- endfor %}
select {{ columns | join(', ') }}, count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endmacro %}
