{% macro new_loads(relation_alias=none) %}
{#-
    Incremental filter: rows of files landed since this model last ran.
    Landing order (_load_id), not event time, decides what is new, so an event
    that arrives days late, or a back-filled file, is never skipped.
    `relation_alias` qualifies _load_id where a join makes it ambiguous.
-#}
    {%- if is_incremental() -%}
        {{ relation_alias ~ '.' if relation_alias else '' }}_load_id > (select coalesce(max(_load_id), 0) from {{ this }})
    {%- else -%}
        1 = 1
    {%- endif -%}
{% endmacro %}
