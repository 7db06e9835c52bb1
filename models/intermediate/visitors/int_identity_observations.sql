{#-
    Every event that shows a visitor id together with a CRM id: a page view
    of a logged-in visitor, or an order carrying both. The evidence that
    identity stitching and the CRM-transition audits read. A view: its
    readers filter it by visitor or CRM id and by observed_date, which is
    the marts' stored date column, so the filter reaches the marts' scans
    (row groups, BigQuery partitions) instead of a date cast of every row.
-#}
with page_views as (

    select
        retailer,
        visitor_id,
        crm_id,
        'page_view' as observed_in,
        viewed_date as observed_date,
        viewed_at as observed_at,
        _load_id
    from {{ ref('fct_page_views') }}
    where crm_id is not null

),

orders as (

    select
        retailer,
        visitor_id,
        crm_id,
        'order' as observed_in,
        ordered_date as observed_date,
        ordered_at as observed_at,
        _load_id
    from {{ ref('fct_orders') }}
    where crm_id is not null and visitor_id is not null

)

select * from page_views
union all
select * from orders
