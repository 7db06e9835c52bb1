{#-
    Every page view with the session it belongs to. A retailer's own session
    id is kept as it is; page views sent without one are cut into sessions
    after session_timeout_minutes of inactivity of the same visitor id.
    Sessions are keyed within a visitor id: a per-session visitor id then
    shows as one session per visitor, which is what the audits look for.
-#}
-- a table, not a view: read several times per build (audits, attribution) and by analysts
{{ config(materialized='table') }}

with page_views as (

    select * from {{ ref('fct_page_views') }}

),

unsessioned as (

    select
        page_view_id,
        retailer,
        visitor_id,
        viewed_at,
        lag(viewed_at) over (
            partition by retailer, visitor_id
            order by viewed_at, page_view_id
        ) as previous_viewed_at
    from page_views
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
        page_views.*,
        {{ dbt.hash(dbt.concat([
            "page_views.retailer", "'|'", "page_views.visitor_id", "'|'",
            "case when page_views.session_id is null then 'derived|' || "
            ~ dbt.safe_cast("derived.derived_session_number", dbt.type_string())
            ~ " else 'sent|' || page_views.session_id end"
        ])) }} as session_key
    from page_views
    left join derived
        on page_views.page_view_id = derived.page_view_id

),

started as (

    select
        *,
        min(viewed_at) over (partition by session_key) as session_started_at
    from keyed

)

select
    page_view_id,
    session_key,
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
    viewed_at,
    session_started_at,
    -- the visitor id's 1st, 2nd... visit: how far the id persists
    dense_rank() over (
        partition by retailer, visitor_id
        order by session_started_at, session_key
    ) as visitor_session_number,
    session_id is null as is_derived_session
from started
