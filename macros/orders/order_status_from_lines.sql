{% macro order_status_from_lines(status) %}
{#-
    An order's canonical status from its lines' statuses (an aggregate over
    the order's lines; formats that give statuses per line only, like
    Kevel's lineItem_status): cancelled when every line is; refunded when
    every line not cancelled is; otherwise the least advanced status of the
    remaining lines, placed before paid before fulfilled (an order is paid
    once every live line is, fulfilled once every live line is). A cancelled
    line has left the order and a refunded one is settled, so neither holds
    the order back. The statuses are line_item_statuses().
-#}
    {%- set known = line_item_statuses() -%}
    {%- for needed in ['placed', 'paid', 'fulfilled', 'refunded', 'cancelled'] if needed not in known -%}
        {{ exceptions.raise_compiler_error("order_status_from_lines: line_item_statuses() lacks " ~ needed) }}
    {%- endfor -%}
    case
        when count({{ status }}) = 0 then null
        when {{ count_where(status ~ " <> 'cancelled'") }} = 0 then 'cancelled'
        when {{ count_where(status ~ " not in ('cancelled', 'refunded')") }} = 0 then 'refunded'
        when {{ count_where(status ~ " = 'placed'") }} > 0 then 'placed'
        when {{ count_where(status ~ " = 'paid'") }} > 0 then 'paid'
        else 'fulfilled'
    end
{%- endmacro %}
