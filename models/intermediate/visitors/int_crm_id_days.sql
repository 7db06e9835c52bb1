{#-
    One row per retailer, CRM id and day it was seen with a visitor id: how
    many visitor ids it had that day and over the audit_window_days ending on
    that day (a user has a few devices; dozens mean ids made per session or
    a CRM id shared by many people).
-#}
-- a table, not a view: read several times per build (audits, attribution) and by analysts
{{ config(materialized='table') }}

with links as (

    select distinct
        retailer,
        crm_id,
        visitor_id,
        observed_date
    from {{ ref('int_identity_observations') }}

),

days as (

    select
        retailer,
        crm_id,
        observed_date as activity_date,
        count(distinct visitor_id) as visitor_ids
    from links
    group by retailer, crm_id, observed_date

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
            between 0 and {{ var('audit_window_days') }} - 1
    group by days.retailer, days.crm_id, days.activity_date

)

select
    days.retailer,
    days.crm_id,
    days.activity_date,
    days.visitor_ids,
    windowed.visitor_ids_in_window
from days
inner join windowed
    on
        days.retailer = windowed.retailer
        and days.crm_id = windowed.crm_id
        and days.activity_date = windowed.activity_date
