{% test expression_is_true(model, expression, column_name=none) %}
{#-
    Rows for which `expression` is false (nulls pass: pair with not_null
    where needed). dbt_utils' name and arguments: on a column the expression
    continues the column (`expression: ">= 0"`), on a model it is whole.
-#}
    {{ return(adapter.dispatch('test_expression_is_true', 'retail_imports')(model, expression, column_name)) }}
{% endtest %}

{% macro default__test_expression_is_true(model, expression, column_name=none) %}
select *
from {{ model }}
where not ({{ column_name ~ ' ' if column_name is not none }}{{ expression }})
{% endmacro %}
