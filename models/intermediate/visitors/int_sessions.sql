{#-
    One row per visit (session): when it started and ended, who (visitor id,
    the CRM id seen in it) and where it came from. Campaign and channel are
    those of the landing page view: its UTM columns, or else the utm_*
    parameters of its URL (many retailers send only the landing URL).
-#}
-- a table, not a view: read several times per build (audits, attribution) and by analysts
{{ config(materialized='table') }}

{#- The sessionized page views are read where they are stored, for each
    need, on the columns it needs: a CTE read several times is materialised
    whole, and its windows would carry every column (README "Performance"). -#}
with first_views as (

    select
        page_view_id,
        row_number() over (
            partition by session_key
            order by viewed_at, page_view_id
        ) as view_number
    from {{ ref('int_page_views__sessionized') }}

),

logins as (

    -- the first CRM id seen in the session: a visitor who logs in mid-visit
    select
        session_key,
        crm_id,
        row_number() over (partition by session_key order by viewed_at, page_view_id) as login_number
    from {{ ref('int_page_views__sessionized') }}
    where crm_id is not null

),

totals as (

    select
        session_key,
        count(*) as page_views,
        count(distinct crm_id) as crm_ids,
        min(viewed_at) as started_at,
        max(viewed_at) as ended_at
    from {{ ref('int_page_views__sessionized') }}
    group by session_key

),

landings as (

    select
        session_key,
        retailer,
        visitor_id,
        session_id,
        visitor_session_number,
        is_derived_session,
        page_url as landing_page_url,
        referrer_url,
        coalesce(utm_source, {{ url_parameter('page_url', 'utm_source') }}) as utm_source,
        coalesce(utm_medium, {{ url_parameter('page_url', 'utm_medium') }}) as utm_medium,
        coalesce(utm_campaign, {{ url_parameter('page_url', 'utm_campaign') }}) as utm_campaign,
        coalesce(utm_term, {{ url_parameter('page_url', 'utm_term') }}) as utm_term,
        coalesce(utm_content, {{ url_parameter('page_url', 'utm_content') }}) as utm_content,
        coalesce(campaign_id, {{ url_parameter('page_url', 'utm_id') }}) as campaign_id,
        {{ url_host('referrer_url') }} as referrer_host,
        {{ url_host('page_url') }} as landing_host,
        platform,
        device_type,
        user_agent
    from {{ ref('int_page_views__sessionized') }}
    where page_view_id in (
        select first_views.page_view_id from first_views
        where first_views.view_number = 1
    )

)

select
    landings.session_key,
    landings.retailer,
    landings.visitor_id,
    logins.crm_id,
    landings.session_id,
    landings.campaign_id,
    {{ channel_group(
        'landings.utm_source', 'landings.utm_medium', 'landings.utm_campaign',
        'landings.referrer_host', 'landings.landing_host'
    ) }} as channel,
    landings.utm_source,
    landings.utm_medium,
    landings.utm_campaign,
    landings.utm_term,
    landings.utm_content,
    landings.landing_page_url,
    landings.referrer_url,
    landings.platform,
    landings.device_type,
    landings.user_agent,
    landings.visitor_session_number,
    totals.page_views,
    totals.crm_ids,
    landings.is_derived_session,
    cast(totals.started_at as date) as started_date,
    totals.started_at,
    totals.ended_at
from landings
inner join totals
    on landings.session_key = totals.session_key
left join logins
    on
        landings.session_key = logins.session_key
        and logins.login_number = 1
