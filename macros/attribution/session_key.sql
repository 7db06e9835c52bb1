{% macro session_key(retailer, visitor_id, session_id, started_at) %}
{#-
    Key of a visit (int_sessions), from SQL expressions: retailer, visitor id,
    the retailer's session id if sent, and the visit's start. The start, not
    a running number, tells apart the visits of one visitor id (and two
    visits with the same session id days apart): a late page view that adds
    a visit re-keys only the visits it touches, not the later ones.
-#}
    {{ dbt.hash(dbt.concat([
        retailer, "'|'", visitor_id, "'|'",
        "case when " ~ session_id ~ " is null then 'derived' else 'sent|' || " ~ session_id ~ " end",
        "'|'", timestamp_text(started_at)
    ])) }}
{%- endmacro %}
