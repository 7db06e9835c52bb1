{% macro order_item_count(quantity, status) %}
{#-
    The number of items of an order (an aggregate over its lines): the sum
    of the lines' quantities, cancelled lines left out (vendor spec 003: a
    cancelled line item is one "the order has been modified to exclude").
    Null when the sum is not whole (quantities in kilograms...), since
    item_count counts items.
-#}
    {%- set items = "coalesce(sum(case when " ~ status ~ " <> 'cancelled' then " ~ quantity ~ " end), 0)" -%}
    case when {{ items }} = floor({{ items }}) then cast({{ items }} as {{ dbt.type_bigint() }}) end
{%- endmacro %}
