{#-
    The ids behind the visitor-id health warnings, one row per retailer,
    anomaly and id, to look into or report to the vendor: bots (flagged,
    never deleted, left out of attribution), shared visitor ids (one visitor
    id used by many CRM ids) and CRM ids spread over many visitor ids.
-#}
with visitor_days as (

    select * from {{ ref('int_visitor_days') }}

),

bots as (

    select
        retailer,
        'bot' as anomaly,
        visitor_id,
        cast(null as {{ dbt.type_string() }}) as crm_id,
        min(activity_date) as first_flagged_date,
        max(activity_date) as last_flagged_date,
        count(*) as days_flagged,
        max(page_views) as worst_value,
        {{ join_reasons([
            "case when max(case when has_bot_user_agent then 1 else 0 end) = 1 then 'bot user agent' end",
            "case when max(case when has_bot_minute_rate then 1 else 0 end) = 1 then "
            ~ "'more than " ~ var('bot_max_page_views_per_minute') ~ " page views in a minute' end",
            "case when max(case when has_bot_daily_rate then 1 else 0 end) = 1 then "
            ~ "'more than " ~ var('bot_max_page_views_per_day') ~ " page views in a day' end",
        ]) }} as reason
    from visitor_days
    where is_bot
    group by retailer, visitor_id

),

shared_visitor_ids as (

    select
        retailer,
        'shared_visitor_id' as anomaly,
        visitor_id,
        cast(null as {{ dbt.type_string() }}) as crm_id,
        min(activity_date) as first_flagged_date,
        max(activity_date) as last_flagged_date,
        count(*) as days_flagged,
        max(crm_ids_in_window) as worst_value,
        {{ "'more than " ~ var('audit_max_crm_ids_per_visitor_id') ~ " CRM ids within "
           ~ var('audit_window_days') ~ " days'" }} as reason
    from visitor_days
    where not is_bot and crm_ids_in_window > {{ var('audit_max_crm_ids_per_visitor_id') }}
    group by retailer, visitor_id

),

spread_crm_ids as (

    select
        retailer,
        'crm_id_with_many_visitor_ids' as anomaly,
        cast(null as {{ dbt.type_string() }}) as visitor_id,
        crm_id,
        min(activity_date) as first_flagged_date,
        max(activity_date) as last_flagged_date,
        count(*) as days_flagged,
        max(visitor_ids_in_window) as worst_value,
        {{ "'more than " ~ var('audit_max_visitor_ids_per_crm_id') ~ " visitor ids within "
           ~ var('audit_window_days') ~ " days'" }} as reason
    from {{ ref('int_crm_id_days') }}
    where visitor_ids_in_window > {{ var('audit_max_visitor_ids_per_crm_id') }}
    group by retailer, crm_id

)

select * from bots
union all
select * from shared_visitor_ids
union all
select * from spread_crm_ids
