{% macro order_state_columns(level) %}
{#-
    The attributes whose change makes an orderUpdate, at 'order' or 'line'
    level: the canonical order_lines columns (macros/entities) minus the
    identifiers, lineage and updated_at. A new lastUpdated alone is a touch,
    not new information (vendor spec 003: an update needs new information).
    Shopify's canonical order_status is derived in validation, so it is
    added here.
-#}
    {%- set skipped = ['order_id', 'line_item_id', 'email_sha256', 'updated_at'] -%}
    {%- set names = [] -%}
    {%- for column in entity_columns('order_lines') -%}
        {%- if column.level == level and column.name not in skipped and not column.name.startswith('_') -%}
            {%- do names.append(column.name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if level == 'order' -%}
        {%- do names.append('order_status') -%}
    {%- endif -%}
    {{ return(names) }}
{% endmacro %}
