{#-
    Every event that shows a visitor id together with a CRM id: a page view
    of a logged-in visitor, or an order carrying both. The evidence that
    identity stitching and the CRM-transition audits read.
-#}
with page_views as (

    select
        retailer,
        visitor_id,
        crm_id,
        'page_view' as observed_in,
        viewed_at as observed_at
    from {{ ref('fct_page_views') }}
    where crm_id is not null

),

orders as (

    select
        retailer,
        visitor_id,
        crm_id,
        'order' as observed_in,
        ordered_at as observed_at
    from {{ ref('fct_orders') }}
    where crm_id is not null and visitor_id is not null

),

observations as (

    select * from page_views
    union all
    select * from orders

)

select
    retailer,
    visitor_id,
    crm_id,
    observed_in,
    cast(observed_at as date) as observed_date,
    observed_at
from observations
