{% macro ga4_transaction_id_is_set(column, event_name) %}
{#-
    GA4 rule: a purchase or refund is an order only with a transaction id.
    GA4 writes (not set) when the site sent none; all such purchases would
    otherwise merge into one order named "(not set)". The reason a row breaks
    it, or null (the row is kept, flagged, and reported).
-#}
    case
        when {{ ga4_value(column) }} is null
            then {{ dbt.concat([text_literal('transaction_id: '), "coalesce(" ~ column ~ ", 'empty')",
                text_literal(': the '), event_name, text_literal(' has no transaction id, so no order to belong to')]) }}
    end
{%- endmacro %}
