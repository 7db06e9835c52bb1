{% macro line_item_status_is_known(status, delivered) %}
{#-
    Vendor rule (spec 003): a line item's status is one of line_item_statuses().
    `delivered` is the text naming what the file said (for a status mapped
    from other columns, those columns). The reason a row breaks it, or null.
-#}
    case
        when {{ status }} is null or {{ status }} not in ({% for s in line_item_statuses() %}{{ text_literal(s) }}{{ ', ' if not loop.last }}{% endfor %})
            then {{ dbt.concat([text_literal('line item status: '), "coalesce(" ~ delivered ~ ", 'none')", text_literal(' has no canonical status (' ~ line_item_statuses() | join(', ') ~ ')')]) }}
    end
{%- endmacro %}
