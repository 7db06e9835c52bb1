{#-
    One row per order, tied to the visits of the same stitched user in the
    attribution_lookback_days before it. First touch: the earliest of those
    visits. Last touch: the latest visit that came through a channel other
    than direct (a direct visit to log in or to pay does not take the credit
    from the campaign that brought the user), or the latest visit when all
    are direct. Bot visits never count. An order without such a visit is
    unattributed, and kept.
-#}
with orders as (

    -- The orders to attribute, one row each, in these columns. Extension point:
    -- in-store and CRM purchases (fct_offline_events) join here with union all,
    -- with their own order_origin; whichever ids they carry are stitched alike.
    select
        order_key,
        retailer,
        order_id,
        'online' as order_origin,
        visitor_id,
        crm_id,
        revenue,
        currency_code,
        ordered_at
    from {{ ref('fct_orders') }}

),

stitched_orders as (
    {{ stitch_user('orders', 'ordered_at') }}
),

human_sessions as (

    select sessions.*
    from {{ ref('int_sessions') }} as sessions
    inner join {{ ref('int_visitor_days') }} as visitor_days
        on
            sessions.retailer = visitor_days.retailer
            and sessions.visitor_id = visitor_days.visitor_id
            and sessions.started_date = visitor_days.activity_date
    where not visitor_days.is_bot

),

stitched_sessions as (
    {{ stitch_user('human_sessions', 'started_at') }}
),

touches as (

    select
        stitched_orders.order_key,
        stitched_sessions.session_key,
        stitched_sessions.started_at,
        stitched_sessions.channel,
        stitched_sessions.utm_source,
        stitched_sessions.utm_medium,
        stitched_sessions.utm_campaign,
        stitched_sessions.campaign_id,
        row_number() over (
            partition by stitched_orders.order_key
            order by stitched_sessions.started_at, stitched_sessions.session_key
        ) as first_touch_rank,
        row_number() over (
            partition by stitched_orders.order_key
            order by
                case when stitched_sessions.channel = 'direct' then 1 else 0 end,
                stitched_sessions.started_at desc,
                stitched_sessions.session_key desc
        ) as last_touch_rank,
        count(*) over (partition by stitched_orders.order_key) as visits_in_lookback
    from stitched_orders
    inner join stitched_sessions
        on
            stitched_orders.retailer = stitched_sessions.retailer
            and stitched_orders.user_key = stitched_sessions.user_key
            and stitched_orders.ordered_at >= stitched_sessions.started_at
            and stitched_orders.ordered_at
            <= {{ dbt.dateadd('day', var('attribution_lookback_days'), 'stitched_sessions.started_at') }}

)

select
    stitched_orders.order_key,
    stitched_orders.retailer,
    stitched_orders.order_id,
    stitched_orders.order_origin,
    stitched_orders.visitor_id,
    stitched_orders.crm_id,
    stitched_orders.user_crm_id,
    stitched_orders.user_key,
    stitched_orders.currency_code,
    first_touch.session_key as first_touch_session_key,
    first_touch.channel as first_touch_channel,
    first_touch.utm_source as first_touch_utm_source,
    first_touch.utm_medium as first_touch_utm_medium,
    first_touch.utm_campaign as first_touch_utm_campaign,
    first_touch.campaign_id as first_touch_campaign_id,
    last_touch.session_key as last_touch_session_key,
    last_touch.channel as last_touch_channel,
    last_touch.utm_source as last_touch_utm_source,
    last_touch.utm_medium as last_touch_utm_medium,
    last_touch.utm_campaign as last_touch_utm_campaign,
    last_touch.campaign_id as last_touch_campaign_id,
    stitched_orders.revenue,
    stitched_orders.ordered_at,
    first_touch.started_at as first_touch_at,
    last_touch.started_at as last_touch_at,
    cast(stitched_orders.ordered_at as date) as ordered_date,
    case when first_touch.session_key is null then 'unattributed' else 'attributed' end as attribution_status,
    coalesce(first_touch.visits_in_lookback, 0) as visits_in_lookback,
    first_touch.session_key is not null as is_attributed
from stitched_orders
left join touches as first_touch
    on
        stitched_orders.order_key = first_touch.order_key
        and first_touch.first_touch_rank = 1
left join touches as last_touch
    on
        stitched_orders.order_key = last_touch.order_key
        and last_touch.last_touch_rank = 1
