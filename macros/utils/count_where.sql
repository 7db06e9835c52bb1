{% macro count_where(condition) %}
{#- Number of rows for which `condition` is true (portable count_if). -#}
    sum(case when {{ condition }} then 1 else 0 end)
{%- endmacro %}
