{% macro new_loads() %}
{#-
    Incremental filter: rows of files landed since this model last ran.
    Landing order (_load_id), not event time, decides what is new, so an event
    that arrives days late, or a back-filled file, is never skipped.
-#}
    {%- if is_incremental() -%}
        _load_id > (select coalesce(max(_load_id), 0) from {{ this }})
    {%- else -%}
        1 = 1
    {%- endif -%}
{% endmacro %}
