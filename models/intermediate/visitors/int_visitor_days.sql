-- sqlfluff:indentation:template_blocks_indent:False
{#-
    One row per retailer, visitor id and day with page views: how the id
    behaves that day (bot signals) and over the audit_window_days ending on
    that day (sessions, CRM ids). A visitor-day is a bot when a user agent
    matches bot_user_agent_pattern or its rate is implausible; bot rows are
    flagged here, kept everywhere, and left out of the other audits and of
    attribution.

    Incremental by visitor: a visitor id with changed page views or
    observations since `changed_from` gets its days from that date on
    rebuilt, from its page views and observations of the audit window
    before (a day's window reaches back audit_window_days - 1 days; its
    visits change only from changed_from on, see int_sessions).
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='replace_regions',
        meta={'regions': {'by': ['retailer', 'visitor_id'], 'from': 'activity_date'}, 'test_scope': '_changes_load_id'},
        post_hook="{{ record_visitor_watermark() }}",
    )
}}
-- depends_on: {{ ref('fct_page_views') }}, {{ ref('int_sessions') }} (read directly, bounded, in an incremental run)
{%- set window_days = var('audit_window_days') -%}
{%- if is_incremental() -%}
{%- set changed_from = visitor_changes_start() -%}
{%- set read_from = 'null' if not changed_from
    else dbt.dateadd('day', 1 - window_days, 'cast(' ~ changed_from ~ ' as date)') -%}
{%- endif -%}
{#- in an incremental run: the days to build, from changed_from on... -#}
{%- set touched_days -%}
    inner join touched
        on
            page_views.retailer = touched.retailer
            and page_views.visitor_id = touched.visitor_id
            and page_views.viewed_date >= touched.changed_from
{%- endset -%}
{#- ... and the sightings of the window before them -#}
{%- set touched_sightings -%}
    inner join touched
        on
            observations.retailer = touched.retailer
            and observations.visitor_id = touched.visitor_id
    where observations.observed_date >= {{ read_from }}
{%- endset %}

with
{%- if is_incremental() %}

touched as (

    select
        retailer,
        visitor_id,
        cast(min(event_at) as date) as changed_from
    from (
        select
            retailer,
            visitor_id,
            event_at
        from ({{ visitor_changes() }}) as changes
        where visitor_id is not null
        union all
        select
            retailer,
            previous_visitor_id,
            previous_event_at
        from ({{ visitor_changes() }}) as changes
        where previous_visitor_id is not null
    ) as changed_events
    group by retailer, visitor_id

),

touched_page_views as (

    select
        delivered.retailer,
        delivered.visitor_id,
        delivered.session_id,
        delivered.user_agent,
        delivered.viewed_date,
        delivered.viewed_at
    from {{ ref('fct_page_views') }} as delivered
    inner join touched
        on
            delivered.retailer = touched.retailer
            and delivered.visitor_id = touched.visitor_id
            and delivered.viewed_date >= {{ dbt.dateadd('day', 1 - window_days, 'touched.changed_from') }}
    where delivered.viewed_date >= {{ read_from }}

),

touched_sessions as (

    select visits.*
    from {{ ref('int_sessions') }} as visits
    inner join touched
        on
            visits.retailer = touched.retailer
            and visits.visitor_id = touched.visitor_id
    where visits.ended_at >= cast({{ read_from }} as {{ dbt.type_timestamp() }})

),

page_views as (

    select
        retailer,
        visitor_id,
        session_key,
        user_agent,
        viewed_date,
        viewed_at
    from ({{ page_view_sessions('touched_page_views', 'touched_sessions') }}) as sessionized

),
{%- else %}

page_views as (

    select
        retailer,
        visitor_id,
        session_key,
        user_agent,
        viewed_date,
        viewed_at
    from {{ ref('int_page_views__sessionized') }}

),
{%- endif %}

minutes as (

    select
        retailer,
        visitor_id,
        viewed_date,
        {{ dbt.date_trunc('minute', 'viewed_at') }} as viewed_minute,
        count(*) as page_views
    from page_views
    group by retailer, visitor_id, viewed_date, {{ dbt.date_trunc('minute', 'viewed_at') }}

),

peaks as (

    select
        retailer,
        visitor_id,
        viewed_date,
        max(page_views) as peak_page_views_per_minute
    from minutes
    group by retailer, visitor_id, viewed_date

),

-- the days to build (from changed_from on, in an incremental run); the ones before only feed windows
days as (

    select
        page_views.retailer,
        page_views.visitor_id,
        page_views.viewed_date as activity_date,
        count(*) as page_views,
        count(distinct page_views.session_key) as sessions,
        max(case when {{ contains_pattern('page_views.user_agent', var('bot_user_agent_pattern')) }} then 1 else 0 end)
        = 1 as has_bot_user_agent
    from page_views
    {{ touched_days if is_incremental() }}
    group by page_views.retailer, page_views.visitor_id, page_views.viewed_date

),

session_days as (

    select distinct
        retailer,
        visitor_id,
        session_key,
        viewed_date
    from page_views

),

sessions_in_window as (

    select
        days.retailer,
        days.visitor_id,
        days.activity_date,
        count(distinct session_days.session_key) as sessions_in_window
    from days
    inner join session_days
        on
            days.retailer = session_days.retailer
            and days.visitor_id = session_days.visitor_id
            and {{ dbt.datediff('session_days.viewed_date', 'days.activity_date', 'day') }}
            between 0 and {{ window_days }} - 1
    group by days.retailer, days.visitor_id, days.activity_date

),

links as (

    select distinct
        observations.retailer,
        observations.visitor_id,
        observations.crm_id,
        observations.observed_date
    from {{ ref('int_identity_observations') }} as observations
    {{ touched_sightings if is_incremental() }}

),

crm_ids_in_window as (

    select
        days.retailer,
        days.visitor_id,
        days.activity_date,
        count(distinct links.crm_id) as crm_ids_in_window
    from days
    inner join links
        on
            days.retailer = links.retailer
            and days.visitor_id = links.visitor_id
            and {{ dbt.datediff('links.observed_date', 'days.activity_date', 'day') }}
            between 0 and {{ window_days }} - 1
    group by days.retailer, days.visitor_id, days.activity_date

),

measured as (

    select
        days.retailer,
        days.visitor_id,
        days.activity_date,
        days.page_views,
        peaks.peak_page_views_per_minute,
        days.sessions,
        sessions_in_window.sessions_in_window,
        coalesce(crm_ids_in_window.crm_ids_in_window, 0) as crm_ids_in_window,
        days.has_bot_user_agent,
        peaks.peak_page_views_per_minute > {{ var('bot_max_page_views_per_minute') }} as has_bot_minute_rate,
        days.page_views > {{ var('bot_max_page_views_per_day') }} as has_bot_daily_rate
    from days
    inner join peaks
        on
            days.retailer = peaks.retailer
            and days.visitor_id = peaks.visitor_id
            and days.activity_date = peaks.viewed_date
    inner join sessions_in_window
        on
            days.retailer = sessions_in_window.retailer
            and days.visitor_id = sessions_in_window.visitor_id
            and days.activity_date = sessions_in_window.activity_date
    left join crm_ids_in_window
        on
            days.retailer = crm_ids_in_window.retailer
            and days.visitor_id = crm_ids_in_window.visitor_id
            and days.activity_date = crm_ids_in_window.activity_date

),

visitor_days as (

    select
        retailer,
        visitor_id,
        activity_date,
        page_views,
        peak_page_views_per_minute,
        sessions,
        sessions_in_window,
        crm_ids_in_window,
        has_bot_user_agent,
        has_bot_minute_rate,
        has_bot_daily_rate,
        has_bot_user_agent or has_bot_minute_rate or has_bot_daily_rate as is_bot,
        {{ join_reasons([
            "case when has_bot_user_agent then 'bot user agent' end",
            "case when has_bot_minute_rate then " ~ dbt.concat([
                dbt.safe_cast("peak_page_views_per_minute", dbt.type_string()), "' page views in one minute'"]) ~ " end",
            "case when has_bot_daily_rate then " ~ dbt.concat([
                dbt.safe_cast("page_views", dbt.type_string()), "' page views in the day'"]) ~ " end",
        ]) }} as bot_reason,
        {{ changes_load_id() }} as _changes_load_id
    from measured

){% if is_incremental() %},

regions as (

    select
        retailer,
        visitor_id,
        changed_from as region_from
    from touched

){% endif %}

{{ with_regions('visitor_days', 'regions') }}
