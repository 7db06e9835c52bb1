{#-
    Every page view with the session it belongs to. A retailer's own session
    id is kept as it is; page views sent without one are cut into sessions
    after session_timeout_minutes of inactivity of the same visitor id.
    Sessions are keyed within a visitor id: a per-session visitor id then
    shows as one session per visitor, which is what the audits look for.
-#}
-- a table, not a view: read several times per build (audits, attribution) and by analysts
{{ config(materialized='table') }}

{#- fct_page_views is read where it is stored, twice, not through one CTE: a
    CTE read twice is materialised whole, and the windows would carry every
    column (README "Performance"). Sessions are worked out on the few columns
    they need, then joined back to the page views. -#}
with unsessioned as (

    select
        page_view_id,
        retailer,
        visitor_id,
        viewed_at,
        lag(viewed_at) over (
            partition by retailer, visitor_id
            order by viewed_at, page_view_id
        ) as previous_viewed_at
    from {{ ref('fct_page_views') }}
    where session_id is null

),

derived as (

    select
        page_view_id,
        sum(
            case
                when previous_viewed_at is null then 1
                when viewed_at > {{ dbt.dateadd('minute', var('session_timeout_minutes'), 'previous_viewed_at') }}
                    then 1
                else 0
            end
        ) over (
            partition by retailer, visitor_id
            order by viewed_at, page_view_id
            rows between unbounded preceding and current row
        ) as derived_session_number
    from unsessioned

),

keyed as (

    select
        page_views.page_view_id,
        page_views.retailer,
        page_views.visitor_id,
        page_views.viewed_at,
        {{ dbt.hash(dbt.concat([
            "page_views.retailer", "'|'", "page_views.visitor_id", "'|'",
            "case when page_views.session_id is null then 'derived|' || "
            ~ dbt.safe_cast("derived.derived_session_number", dbt.type_string())
            ~ " else 'sent|' || page_views.session_id end"
        ])) }} as session_key
    from {{ ref('fct_page_views') }} as page_views
    left join derived
        on page_views.page_view_id = derived.page_view_id

),

started as (

    select
        session_key,
        retailer,
        visitor_id,
        min(viewed_at) as session_started_at
    from keyed
    group by session_key, retailer, visitor_id

),

-- the visitor id's 1st, 2nd... visit: how far the id persists
numbered as (

    select
        session_key,
        session_started_at,
        dense_rank() over (
            partition by retailer, visitor_id
            order by session_started_at, session_key
        ) as visitor_session_number
    from started

)

select
    page_views.page_view_id,
    keyed.session_key,
    page_views.retailer,
    page_views.visitor_id,
    page_views.crm_id,
    page_views.session_id,
    page_views.campaign_id,
    page_views.event_type,
    page_views.page_url,
    page_views.referrer_url,
    page_views.utm_source,
    page_views.utm_medium,
    page_views.utm_campaign,
    page_views.utm_term,
    page_views.utm_content,
    page_views.platform,
    page_views.device_type,
    page_views.user_agent,
    page_views.viewed_date,
    page_views.viewed_at,
    numbered.session_started_at,
    numbered.visitor_session_number,
    page_views.session_id is null as is_derived_session
from {{ ref('fct_page_views') }} as page_views
inner join keyed
    on page_views.page_view_id = keyed.page_view_id
inner join numbered
    on keyed.session_key = numbered.session_key
