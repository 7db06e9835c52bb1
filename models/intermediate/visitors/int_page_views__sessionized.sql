{#-
    Every page view with the visit (session) it belongs to, its start and the
    visitor id's visit number. A view: a page view's visit is stored once, in
    int_sessions, so a late visit that renumbers the later visits of a
    visitor id rewrites those visits, not every page view after it
    (DECISIONLOG "Visitor models rebuild regions").
-#}
{{ config(materialized='view', meta={'test_scope': '_changes_load_id'}) }}

with page_views as (

    select
        page_view_id,
        retailer,
        visitor_id,
        crm_id,
        session_id,
        campaign_id,
        event_type,
        page_url,
        referrer_url,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_term,
        utm_content,
        platform,
        device_type,
        user_agent,
        viewed_date,
        viewed_at
    from {{ ref('fct_page_views') }}

),

sessions as (

    select * from {{ ref('int_sessions') }}

)

{{ page_view_sessions('page_views', 'sessions') }}
