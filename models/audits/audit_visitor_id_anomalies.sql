-- sqlfluff:indentation:template_blocks_indent:False
{#-
    The ids behind the visitor-id health warnings, one row per retailer,
    anomaly and id, to look into or report to the vendor: bots (flagged,
    never deleted, left out of attribution), shared visitor ids (one visitor
    id used by many CRM ids) and CRM ids spread over many visitor ids.

    Incremental by id: the rows of a visitor id or CRM id seen in a changed
    page view or order are rebuilt from its flagged days (few: the days of
    the other ids are not read).
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='replace_regions',
        meta={'regions': {'by': ['retailer', 'visitor_id', 'crm_id']}, 'test_scope': '_changes_load_id'},
        post_hook="{{ record_visitor_watermark() }}",
    )
}}

with
{%- if is_incremental() %}

touched as (

    select distinct
        retailer,
        visitor_id,
        crm_id
    from (
        select retailer, visitor_id, cast(null as {{ dbt.type_string() }}) as crm_id
        from ({{ visitor_changes() }}) as changes
        where visitor_id is not null
        union all
        select retailer, previous_visitor_id, cast(null as {{ dbt.type_string() }})
        from ({{ visitor_changes() }}) as changes
        where previous_visitor_id is not null
        union all
        select retailer, cast(null as {{ dbt.type_string() }}), crm_id
        from ({{ visitor_changes() }}) as changes
        where crm_id is not null and visitor_id is not null
        union all
        select retailer, cast(null as {{ dbt.type_string() }}), previous_crm_id
        from ({{ visitor_changes() }}) as changes
        where previous_crm_id is not null and previous_visitor_id is not null
    ) as ids

),
{%- endif %}

visitor_days as (

    select flagged_days.*
    from {{ ref('int_visitor_days') }} as flagged_days
    where
        (flagged_days.is_bot or flagged_days.crm_ids_in_window > {{ var('audit_max_crm_ids_per_visitor_id') }})
    {% if is_incremental() %}
        and exists (
            select 1 from touched
            where touched.retailer = flagged_days.retailer and touched.visitor_id = flagged_days.visitor_id
        )
    {% endif %}

),

crm_id_days as (

    select flagged_crm_days.*
    from {{ ref('int_crm_id_days') }} as flagged_crm_days
    where
        flagged_crm_days.visitor_ids_in_window > {{ var('audit_max_visitor_ids_per_crm_id') }}
    {% if is_incremental() %}
        and exists (
            select 1 from touched
            where touched.retailer = flagged_crm_days.retailer and touched.crm_id = flagged_crm_days.crm_id
        )
    {% endif %}

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
    from crm_id_days
    group by retailer, crm_id

),

anomalies as (

    select *, {{ changes_load_id() }} as _changes_load_id from bots
    union all
    select *, {{ changes_load_id() }} as _changes_load_id from shared_visitor_ids
    union all
    select *, {{ changes_load_id() }} as _changes_load_id from spread_crm_ids

){% if is_incremental() %},

regions as (

    select
        retailer,
        visitor_id,
        crm_id,
        cast(null as {{ dbt.type_timestamp() }}) as region_from
    from touched

){% endif %}

{{ with_regions('anomalies', 'regions') }}
