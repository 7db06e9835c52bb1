{% macro entity_columns(entity) %}
{#-
    The canonical columns of an entity (macros/entities/<entity>_columns.sql),
    or an empty list for entities whose shape is simply their format's.
-#}
    {%- set declare = context.get(entity ~ '_columns') -%}
    {{ return(declare() if declare is not none else []) }}
{% endmacro %}
