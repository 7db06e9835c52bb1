{% macro amounts_add_up(total, parts, label) %}
{#-
    Vendor rule (spec 003): total = subtotal + tax + shipping, within
    var('order_amount_tolerance') (a cent). The reason a row breaks it, or
    null; rows lacking any of the amounts are left to the required checks
    (a Shopify export may have none of them).
-#}
    {%- set present = [total] + parts -%}
    {%- set expected = '(' ~ parts | join(' + ') ~ ')' -%}
    {%- set names = [] -%}
    {%- for part in parts -%}
        {%- do names.append(part | replace('line_', '') | replace('_amount', '')) -%}
    {%- endfor -%}
    case
        when {% for column in present %}{{ column }} is not null{{ ' and ' if not loop.last }}{% endfor %}
            and abs({{ total }} - {{ expected }}) > {{ var('order_amount_tolerance') }}
            then {{ dbt.concat([
                text_literal(label ~ ': '), amount_text(total),
                text_literal(' is not ' ~ names | join(' + ') ~ ' = '), amount_text(expected)]) }}
    end
{%- endmacro %}
