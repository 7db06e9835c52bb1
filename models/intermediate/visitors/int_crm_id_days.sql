-- sqlfluff:indentation:template_blocks_indent:False
{#-
    One row per retailer, CRM id and day it was seen with a visitor id: how
    many visitor ids it had that day and over the audit_window_days ending on
    that day (a user has a few devices; dozens mean ids made per session or
    a CRM id shared by many people).

    Incremental by CRM id: a CRM id seen in a changed page view or order
    (new, or what a re-delivery replaced) since `changed_from` gets its days
    from that date on rebuilt, from its observations of the window before.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='replace_regions',
        meta={'regions': {'by': ['retailer', 'crm_id'], 'from': 'activity_date'}, 'test_scope': '_changes_load_id'},
        post_hook="{{ record_visitor_watermark() }}",
    )
}}
{%- set window_days = var('audit_window_days') -%}
{%- if is_incremental() -%}
{%- set changed_from = visitor_changes_start() -%}
{%- set read_from = 'null' if not changed_from
    else dbt.dateadd('day', 1 - window_days, 'cast(' ~ changed_from ~ ' as date)') -%}
{%- endif -%}
{#- in an incremental run: the sightings of the touched CRM ids, from the window before changed_from -#}
{%- set touched_sightings -%}
    inner join touched
        on
            observations.retailer = touched.retailer
            and observations.crm_id = touched.crm_id
            and observations.observed_date >= {{ dbt.dateadd('day', 1 - window_days, 'touched.changed_from') }}
    where observations.observed_date >= {{ read_from }}
{%- endset -%}
{#- ... and the days to build, from changed_from on -#}
{%- set touched_days -%}
    inner join touched
        on
            links.retailer = touched.retailer
            and links.crm_id = touched.crm_id
            and links.observed_date >= touched.changed_from
{%- endset %}

with
{%- if is_incremental() %}

touched as (

    select
        retailer,
        crm_id,
        cast(min(event_at) as date) as changed_from
    from (
        select
            retailer,
            crm_id,
            event_at
        from ({{ visitor_changes() }}) as changes
        where crm_id is not null and visitor_id is not null
        union all
        select
            retailer,
            previous_crm_id,
            previous_event_at
        from ({{ visitor_changes() }}) as changes
        where previous_crm_id is not null and previous_visitor_id is not null
    ) as changed_observations
    group by retailer, crm_id

),
{%- endif %}

links as (

    select distinct
        observations.retailer,
        observations.crm_id,
        observations.visitor_id,
        observations.observed_date
    from {{ ref('int_identity_observations') }} as observations
    {{ touched_sightings if is_incremental() }}

),

-- the days to build (from changed_from on, in an incremental run); the ones before only feed windows
days as (

    select
        links.retailer,
        links.crm_id,
        links.observed_date as activity_date,
        count(distinct links.visitor_id) as visitor_ids
    from links
    {{ touched_days if is_incremental() }}
    group by links.retailer, links.crm_id, links.observed_date

),

windowed as (

    select
        days.retailer,
        days.crm_id,
        days.activity_date,
        count(distinct links.visitor_id) as visitor_ids_in_window
    from days
    inner join links
        on
            days.retailer = links.retailer
            and days.crm_id = links.crm_id
            and {{ dbt.datediff('links.observed_date', 'days.activity_date', 'day') }}
            between 0 and {{ window_days }} - 1
    group by days.retailer, days.crm_id, days.activity_date

),

crm_id_days as (

    select
        days.retailer,
        days.crm_id,
        days.activity_date,
        days.visitor_ids,
        windowed.visitor_ids_in_window,
        {{ changes_load_id() }} as _changes_load_id
    from days
    inner join windowed
        on
            days.retailer = windowed.retailer
            and days.crm_id = windowed.crm_id
            and days.activity_date = windowed.activity_date

){% if is_incremental() %},

regions as (

    select
        retailer,
        crm_id,
        changed_from as region_from
    from touched

){% endif %}

{{ with_regions('crm_id_days', 'regions') }}
