{% macro ga4_session_id(visitor_id, ga_session_id) %}
{#-
    A GA4 session: the visitor id and its ga_session_id (the session's start
    time in seconds, unique only per visitor), as GA4 itself counts them.
-#}
    case
        when {{ visitor_id }} is not null and {{ ga_session_id }} is not null
            then {{ dbt.concat([visitor_id, "'-'", dbt.safe_cast(ga_session_id, dbt.type_string())]) }}
    end
{%- endmacro %}
