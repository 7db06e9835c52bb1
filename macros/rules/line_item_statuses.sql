{% macro line_item_statuses() %}
{#-
    The canonical line-item statuses (vendor spec 003, lineItem_status:
    placed, paid, fulfilled, refunded, cancelled), declared once. Read by
    the Kevel orders format (`accepted: line_item_statuses`), the status
    rules (line_item_status_is_known, order_status_from_lines), the mapping
    seeds' tests and the loader (loaders/formats.py resolves the name).
    Plain YAML only: the loader reads it too.
-#}
{% set spec %}
- placed
- paid
- fulfilled
- refunded
- cancelled
{% endset %}
{{ return(fromyaml(spec)) }}
{% endmacro %}
