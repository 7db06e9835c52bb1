{% test expression_is_true(model, expression, column_name=none) %}
{#- Rows for which `expression` is false (nulls pass: pair with not_null where needed). -#}
    {{ return(adapter.dispatch('test_expression_is_true', 'retail_imports')(model, expression)) }}
{% endtest %}

{% macro default__test_expression_is_true(model, expression) %}
select *
from {{ model }}
where not ({{ expression }})
{% endmacro %}
