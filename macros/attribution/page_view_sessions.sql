{% macro page_view_sessions(page_views, sessions) %}
{#-
    Page views (relation or CTE `page_views`, with retailer, visitor_id,
    session_id, viewed_at) joined to the visit each belongs to in `sessions`
    (int_sessions' columns): the visit of its session id (or, without one, the
    derived visit of its visitor id) whose start and end enclose it: visits
    of one session id, like derived visits, never overlap. Two joins rather than one
    with `or`, so each is an equality join. Selects page_views.* and the
    visit's key, start, number, kind and _changes_load_id.
-#}
    select
        {{ page_views }}.*,
        sessions.session_key,
        sessions.started_at as session_started_at,
        sessions.visitor_session_number,
        sessions.is_derived_session,
        sessions._changes_load_id
    from {{ page_views }}
    inner join {{ sessions }} as sessions
        on
            {{ page_views }}.retailer = sessions.retailer
            and {{ page_views }}.visitor_id = sessions.visitor_id
            and {{ page_views }}.session_id = sessions.session_id
            and {{ page_views }}.viewed_at >= sessions.started_at
            and {{ page_views }}.viewed_at <= sessions.ended_at
    union all
    select
        {{ page_views }}.*,
        sessions.session_key,
        sessions.started_at as session_started_at,
        sessions.visitor_session_number,
        sessions.is_derived_session,
        sessions._changes_load_id
    from {{ page_views }}
    inner join {{ sessions }} as sessions
        on
            {{ page_views }}.retailer = sessions.retailer
            and {{ page_views }}.visitor_id = sessions.visitor_id
            and {{ page_views }}.session_id is null
            and sessions.is_derived_session
            and {{ page_views }}.viewed_at >= sessions.started_at
            and {{ page_views }}.viewed_at <= sessions.ended_at
{%- endmacro %}
