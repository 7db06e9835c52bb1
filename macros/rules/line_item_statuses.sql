{% macro line_item_statuses() %}
{#- Vendor rule (spec 003): the canonical line-item statuses. -#}
    {{ return(['placed', 'paid', 'fulfilled', 'refunded', 'cancelled']) }}
{% endmacro %}
