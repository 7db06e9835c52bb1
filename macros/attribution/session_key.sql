{% macro session_key(retailer, visitor_id, session_id, derived_started_at) %}
{#-
    Key of a visit (int_sessions), from SQL expressions: the retailer's own
    session id within the visitor id, or, for a visit cut by inactivity, its
    start. A start, unlike a running number, does not change when a late page
    view adds a visit before it, so a late event re-keys only the visits it
    touches.
-#}
    {{ dbt.hash(dbt.concat([
        retailer, "'|'", visitor_id, "'|'",
        "case when " ~ session_id ~ " is null then 'derived|' || " ~ timestamp_text(derived_started_at)
        ~ " else 'sent|' || " ~ session_id ~ " end"
    ])) }}
{%- endmacro %}
