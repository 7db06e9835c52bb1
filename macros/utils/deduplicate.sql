{% macro deduplicate(relation, partition_by, order_by) %}
{#-
    One row per `partition_by`: the first by `order_by`. dbt_utils' name and
    arguments (relation may be a CTE name), so the real package can replace it.
-#}
    {{ return(adapter.dispatch('deduplicate', 'retail_imports')(relation, partition_by, order_by)) }}
{% endmacro %}

{% macro default__deduplicate(relation, partition_by, order_by) %}
    select *
    from {{ relation }}
    qualify row_number() over (partition by {{ partition_by }} order by {{ order_by }}) = 1
{%- endmacro %}
