-- sqlfluff:indentation:template_blocks_indent:False
{#-
    One row per order, tied to the visits of the same stitched user in the
    attribution_lookback_days before it. First touch: the earliest of those
    visits. Last touch: the latest visit that came through a channel other
    than direct (a direct visit to log in or to pay does not take the credit
    from the campaign that brought the user), or the latest visit when all
    are direct. Bot visits never count. An order without such a visit is
    unattributed, and kept.

    Incremental by order (DECISIONLOG "Visitor models rebuild regions"):
    rebuilt are the orders that changed, and the orders of every user a
    changed visitor id can touch from the moment its changes can matter:
    the user is the visitor id itself or a CRM id it was seen with (now or
    before a re-delivery); the moment is the start of the day of its
    earliest changed page view (bot flags are per day), of its earliest
    rebuilt visit, and, for a changed login, the last sighting of the
    period before it (earlier events keep their user), or all its history
    when it may have become or stopped being shared.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='replace_regions',
        unique_key='order_key',
        meta={'regions': {'by': ['order_key'], 'from': 'ordered_at'}, 'test_scope': '_changes_load_id'},
        post_hook="{{ record_visitor_watermark() }}",
    )
}}
{%- set lookback = var('attribution_lookback_days') -%}
{%- if is_incremental() -%}
{%- set candidates_sql -%}
        with changes as (
            {{ visitor_changes() }}
        ),

        visitor_events as (
            select retailer, visitor_id, crm_id, event_type, event_at, 0 as is_replaced
            from changes
            where visitor_id is not null
            union all
            select retailer, previous_visitor_id, previous_crm_id, event_type, previous_event_at, 1
            from changes
            where previous_visitor_id is not null
        ),

        -- visitor ids whose page views changed: from the start of that day (bot
        -- flags) or of their earliest rebuilt visit
        page_view_changes as (
            select
                visitor_events.retailer,
                visitor_events.visitor_id,
                least(
                    {{ dbt.date_trunc('day', 'min(visitor_events.event_at)') }},
                    coalesce(min(rebuilt.started_at), {{ dbt.date_trunc('day', 'min(visitor_events.event_at)') }})
                ) as affected_from
            from visitor_events
            left join {{ ref('int_sessions') }} as rebuilt
                on
                    visitor_events.retailer = rebuilt.retailer
                    and visitor_events.visitor_id = rebuilt.visitor_id
                    and rebuilt._changes_load_id > {{ visitor_watermark() }}
            where visitor_events.event_type = 'page_view'
            group by visitor_events.retailer, visitor_events.visitor_id
        ),

        -- visitor ids whose logins changed: from the last sighting of the period
        -- before the change (all history when it may have turned shared or not)
        login_changes as (
            select
                logins.retailer,
                logins.visitor_id,
                case
                    when max(logins.is_replaced) = 0 and not coalesce(max(case when periods.is_shared_visitor_id then 1 else 0 end) = 1, false)
                        then max(case when periods.last_seen_at < logins.changed_from then periods.last_seen_at end)
                end as affected_from
            from (
                select retailer, visitor_id, min(event_at) as changed_from, max(is_replaced) as is_replaced
                from visitor_events
                where crm_id is not null
                group by retailer, visitor_id
            ) as logins
            left join {{ ref('dim_visitor_identities') }} as periods
                on
                    logins.retailer = periods.retailer
                    and logins.visitor_id = periods.visitor_id
            group by logins.retailer, logins.visitor_id
        ),

        touched as (
            select retailer, visitor_id, affected_from from page_view_changes
            union all
            select retailer, visitor_id, affected_from from login_changes
        ),

        -- the users a touched visitor id can stand for: itself, or a CRM id it was seen with
        affected_users as (
            select
                touched.retailer,
                users.user_key,
                min(touched.affected_from) as affected_from,
                max(case when touched.affected_from is null then 1 else 0 end) as is_all_history
            from touched
            inner join (
                select retailer, visitor_id, {{ dbt.concat(["'visitor:'", "visitor_id"]) }} as user_key
                from touched
                union all
                select retailer, visitor_id, {{ dbt.concat(["'crm:'", "crm_id"]) }}
                from visitor_events
                where crm_id is not null
                union all
                select periods.retailer, periods.visitor_id, {{ dbt.concat(["'crm:'", "periods.crm_id"]) }}
                from {{ ref('dim_visitor_identities') }} as periods
                where exists (
                    select 1 from touched
                    where touched.retailer = periods.retailer and touched.visitor_id = periods.visitor_id
                )
            ) as users
                on
                    touched.retailer = users.retailer
                    and touched.visitor_id = users.visitor_id
            group by touched.retailer, users.user_key
        )

        select event_key as order_key
        from changes
        where event_type = 'order'
        union all
        select saved.order_key
        from {{ this }} as saved
        inner join affected_users
            on
                saved.retailer = affected_users.retailer
                and saved.user_key = affected_users.user_key
                and (affected_users.is_all_history = 1 or saved.ordered_at >= affected_users.affected_from)
{%- endset -%}
{#- the visits that can touch these orders start one lookback before the first of them -#}
{%- set read_from = 'null' -%}
{%- if execute -%}
{%- set earliest = run_query(
            "select cast(min(ordered_at) as " ~ api.Column.translate_type('string') ~ ") from " ~ ref('fct_orders')
            ~ " where order_key in (select order_key from (" ~ candidates_sql ~ ") as candidates)").rows[0][0] -%}
{%- if earliest is not none -%}
{%- set read_from = dbt.dateadd('day', -lookback, "cast('" ~ earliest ~ "' as " ~ api.Column.translate_type('timestamp') ~ ")") -%}
{%- endif -%}
{%- endif -%}
{%- endif %}

with
{%- if is_incremental() %}

candidates as (
    {{ candidates_sql }}
),
{%- endif %}

orders as (

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
    {%- if is_incremental() %}
    where order_key in (select candidates.order_key from candidates)
    {%- endif %}

),

stitched_orders as (
    {{ stitch_user('orders', 'ordered_at') }}
),

{%- if is_incremental() %}

-- the visits that can be these orders' users': with one of their CRM ids, or of a visitor id stitched to one, or theirs
buyers as (

    select distinct
        retailer,
        user_crm_id,
        case when user_crm_id is null then visitor_id end as visitor_id
    from stitched_orders
    where user_key is not null

),

buyer_visitor_ids as (

    select
        retailer,
        visitor_id
    from buyers
    where visitor_id is not null
    union all
    select
        periods.retailer,
        periods.visitor_id
    from {{ ref('dim_visitor_identities') }} as periods
    inner join buyers
        on
            periods.retailer = buyers.retailer
            and periods.crm_id = buyers.user_crm_id

),
{%- endif %}

sessions as (

    select
        visits.session_key,
        visits.retailer,
        visits.visitor_id,
        visits.crm_id,
        visits.channel,
        visits.utm_source,
        visits.utm_medium,
        visits.utm_campaign,
        visits.campaign_id,
        visits.started_date,
        visits.started_at
    from {{ ref('int_sessions') }} as visits
    {%- if is_incremental() %}
    where
        visits.started_at >= {{ read_from }}
        and (
            exists (
                select 1 from buyers
                where buyers.retailer = visits.retailer and buyers.user_crm_id = visits.crm_id
            )
            or exists (
                select 1 from buyer_visitor_ids
                where
                    buyer_visitor_ids.retailer = visits.retailer
                    and buyer_visitor_ids.visitor_id = visits.visitor_id
            )
        )
    {%- endif %}

),

human_sessions as (

    select sessions.*
    from sessions
    inner join {{ ref('int_visitor_days') }} as visitor_days
        on
            sessions.retailer = visitor_days.retailer
            and sessions.visitor_id = visitor_days.visitor_id
            and sessions.started_date = visitor_days.activity_date
    where
        not visitor_days.is_bot
    {% if is_incremental() %}
        and visitor_days.activity_date >= cast({{ read_from }} as date)
    {% endif %}

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
            <= {{ dbt.dateadd('day', lookback, 'stitched_sessions.started_at') }}

),

attributed as (

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
        first_touch.session_key is not null as is_attributed,
        {{ changes_load_id() }} as _changes_load_id
    from stitched_orders
    left join touches as first_touch
        on
            stitched_orders.order_key = first_touch.order_key
            and first_touch.first_touch_rank = 1
    left join touches as last_touch
        on
            stitched_orders.order_key = last_touch.order_key
            and last_touch.last_touch_rank = 1

){% if is_incremental() %},

-- an order delivered again may have moved in time: its saved row is replaced from its earlier time
regions as (

    select
        event_key as order_key,
        min(case when previous_event_at < event_at then previous_event_at else event_at end) as region_from
    from ({{ visitor_changes() }}) as changes
    where event_type = 'order'
    group by event_key

){% endif %}

{{ with_regions('attributed', 'regions') }}
