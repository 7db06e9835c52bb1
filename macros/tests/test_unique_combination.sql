{% test unique_combination(model, columns) %}
{#- The combination of `columns` identifies a row (multi-column key). -#}
    {{ return(adapter.dispatch('test_unique_combination', 'retail_imports')(model, columns)) }}
{% endtest %}

{% macro default__test_unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endmacro %}
