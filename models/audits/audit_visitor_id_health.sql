-- sqlfluff:indentation:template_blocks_indent:False
{#-
    Visitor-id health per retailer and day (vendor spec 001: "Ensure Visitor
    IDs persist across sessions and correctly transition to CRM IDs ...
    audits for ID duplication, session-based generation, or bot anomalies").
    Shares are over the day's visitors (bots apart) and look back
    audit_window_days; each is_* flag is one warn-level test, with its
    threshold in the project vars.

    Incremental by retailer: a retailer with changed page views or
    observations since `changed_from` gets its days from that date on
    rebuilt (visitor days and CRM-id days change only from there, see
    int_visitor_days).
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='replace_regions',
        meta={'regions': {'by': ['retailer'], 'from': 'activity_date'}, 'test_scope': '_changes_load_id'},
        post_hook="{{ record_visitor_watermark() }}",
    )
}}
{%- if is_incremental() -%}
{%- set changed_from = visitor_changes_start() -%}
{%- set read_from = 'null' if not changed_from else 'cast(' ~ changed_from ~ ' as date)' -%}
{%- endif -%}
{#- in an incremental run: the days of the touched retailers from changed_from on -#}
{%- set touched_visitor_days -%}
    inner join touched
        on
            rebuilt_days.retailer = touched.retailer
            and rebuilt_days.activity_date >= touched.changed_from
    where rebuilt_days.activity_date >= {{ read_from }}
{%- endset -%}
{%- set touched_crm_id_days -%}
    inner join touched
        on
            rebuilt_crm_days.retailer = touched.retailer
            and rebuilt_crm_days.activity_date >= touched.changed_from
    where rebuilt_crm_days.activity_date >= {{ read_from }}
{%- endset -%}
{#- ... and the retailer's days before them that this table holds (its first day of data) -#}
{%- set days_before -%}
    union all
    select
        stored.retailer,
        stored.activity_date
    from {{ this }} as stored
    inner join touched
        on
            stored.retailer = touched.retailer
            and stored.activity_date < touched.changed_from
{%- endset %}

with
{%- if is_incremental() %}

touched as (

    select
        retailer,
        cast(min(case when previous_event_at < event_at then previous_event_at else event_at end) as date)
            as changed_from
    from ({{ visitor_changes() }}) as changes
    group by retailer

),
{%- endif %}

visitor_days as (

    select rebuilt_days.*
    from {{ ref('int_visitor_days') }} as rebuilt_days
    {{ touched_visitor_days if is_incremental() }}

),

crm_id_days as (

    select rebuilt_crm_days.*
    from {{ ref('int_crm_id_days') }} as rebuilt_crm_days
    {{ touched_crm_id_days if is_incremental() }}

),

visitors as (

    select
        retailer,
        activity_date,
        sum(case when not is_bot then 1 else 0 end) as visitors,
        sum(case when is_bot then 1 else 0 end) as bot_visitors,
        sum(case when not is_bot then sessions else 0 end) as sessions,
        sum(page_views) as page_views,
        sum(case when is_bot then page_views else 0 end) as bot_page_views,
        sum(case when not is_bot and sessions_in_window > 1 then 1 else 0 end) as multi_session_visitors,
        sum(case when not is_bot and crm_ids_in_window > 0 then 1 else 0 end) as crm_visitors,
        sum(
            case when not is_bot and crm_ids_in_window > {{ var('audit_max_crm_ids_per_visitor_id') }} then 1 else 0 end
        ) as shared_visitor_ids
    from visitor_days
    group by retailer, activity_date

),

crm_ids as (

    select
        retailer,
        activity_date,
        count(*) as crm_ids,
        sum(
            case when visitor_ids_in_window > {{ var('audit_max_visitor_ids_per_crm_id') }} then 1 else 0 end
        ) as crm_ids_with_many_visitor_ids
    from crm_id_days
    group by retailer, activity_date

),

-- the retailer's first day of data: before the rebuilt days, the first day this table holds
retailers as (

    select
        retailer,
        min(activity_date) as first_activity_date
    from (
        select
            retailer,
            activity_date
        from visitor_days
        {{ days_before if is_incremental() }}
    ) as retailer_days
    group by retailer

),

measured as (

    select
        visitors.retailer,
        visitors.activity_date,
        visitors.visitors,
        visitors.sessions,
        visitors.page_views,
        visitors.multi_session_visitors,
        visitors.crm_visitors,
        coalesce(crm_ids.crm_ids, 0) as crm_ids,
        coalesce(crm_ids.crm_ids_with_many_visitor_ids, 0) as crm_ids_with_many_visitor_ids,
        visitors.shared_visitor_ids,
        visitors.bot_visitors,
        visitors.bot_page_views,
        {{ safe_divide('visitors.multi_session_visitors', 'visitors.visitors') }} as persistence_share,
        {{ safe_divide('visitors.crm_visitors', 'visitors.visitors') }} as crm_visitor_share,
        {{ safe_divide('visitors.bot_page_views', 'visitors.page_views') }} as bot_page_view_share,
        visitors.visitors >= {{ var('audit_min_visitors') }} as has_enough_visitors,
        {{ dbt.datediff('retailers.first_activity_date', 'visitors.activity_date', 'day') }}
        >= {{ var('audit_window_days') }} - 1 as is_window_complete
    from visitors
    inner join retailers
        on visitors.retailer = retailers.retailer
    left join crm_ids
        on
            visitors.retailer = crm_ids.retailer
            and visitors.activity_date = crm_ids.activity_date

),

health as (

    select
        retailer,
        activity_date,
        visitors,
        sessions,
        page_views,
        multi_session_visitors,
        crm_visitors,
        crm_ids,
        crm_ids_with_many_visitor_ids,
        shared_visitor_ids,
        bot_visitors,
        bot_page_views,
        persistence_share,
        crm_visitor_share,
        bot_page_view_share,
        has_enough_visitors,
        is_window_complete,
        coalesce(
            has_enough_visitors and is_window_complete
            and persistence_share < {{ var('audit_per_session_max_share') }},
            false
        ) as is_per_session_ids,
        coalesce(
            has_enough_visitors and is_window_complete
            and persistence_share >= {{ var('audit_per_session_max_share') }}
            and persistence_share < {{ var('audit_min_persistence_share') }},
            false
        ) as is_low_persistence,
        coalesce(
            has_enough_visitors and is_window_complete
            and crm_visitor_share < {{ var('audit_min_crm_visitor_share') }},
            false
        ) as is_low_crm_transition,
        crm_ids_with_many_visitor_ids > 0 as has_crm_ids_with_many_visitor_ids,
        shared_visitor_ids > 0 as has_shared_visitor_ids,
        coalesce(bot_page_view_share > {{ var('audit_max_bot_page_view_share') }}, false) as has_bot_anomaly,
        {{ changes_load_id() }} as _changes_load_id
    from measured

){% if is_incremental() %},

regions as (

    select
        retailer,
        changed_from as region_from
    from touched

){% endif %}

{{ with_regions('health', 'regions') }}
