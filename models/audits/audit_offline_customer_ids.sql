{#-
    Offline customer ids per retailer and day (vendor spec 004, Customer ID:
    "Must be the same ID received from Website/Mobile App"): of the day's
    offline events, how many customer ids were ever seen on the web as a
    visitor id or a CRM id (page views and orders), and how many offline
    purchases join fct_order_attribution through that id (its user's CRM
    id, CRM id or visitor id), i.e. can be tied to the web journeys the
    attribution credits. A warn-level test flags days whose ids almost never
    match: the store sends another id (a loyalty card, a till number).
-#}
with offline as (

    select
        retailer,
        event_date,
        customer_id,
        event_type_name
    from {{ ref('fct_offline_events') }}

),

web_ids as (

    select
        retailer,
        visitor_id as web_id
    from {{ ref('fct_page_views') }}
    union distinct
    select
        retailer,
        crm_id
    from {{ ref('fct_page_views') }}
    where crm_id is not null
    union distinct
    select
        retailer,
        visitor_id
    from {{ ref('fct_orders') }}
    where visitor_id is not null
    union distinct
    select
        retailer,
        crm_id
    from {{ ref('fct_orders') }}
    where crm_id is not null

),

attributed_ids as (

    select
        retailer,
        user_crm_id as attributed_id
    from {{ ref('fct_order_attribution') }}
    where user_crm_id is not null
    union distinct
    select
        retailer,
        crm_id
    from {{ ref('fct_order_attribution') }}
    where crm_id is not null
    union distinct
    select
        retailer,
        visitor_id
    from {{ ref('fct_order_attribution') }}
    where visitor_id is not null

),

offline_ids as (

    select
        offline.retailer,
        offline.event_date,
        offline.customer_id,
        offline.event_type_name = 'purchase' as is_purchase,
        web_ids.web_id is not null as is_seen_on_web,
        attributed_ids.attributed_id is not null as is_in_attribution
    from offline
    left join web_ids
        on
            offline.retailer = web_ids.retailer
            and offline.customer_id = web_ids.web_id
    left join attributed_ids
        on
            offline.retailer = attributed_ids.retailer
            and offline.customer_id = attributed_ids.attributed_id

),

measured as (

    select
        retailer,
        event_date,
        count(*) as offline_events,
        count(distinct customer_id) as customer_ids,
        count(distinct case when is_seen_on_web then customer_id end) as customer_ids_seen_on_web,
        {{ count_where('is_purchase') }} as purchases,
        {{ count_where('is_purchase and is_in_attribution') }} as purchases_joining_attribution
    from offline_ids
    group by retailer, event_date

)

select
    *,
    {{ safe_divide('customer_ids_seen_on_web', 'customer_ids') }} as customer_id_web_share,
    {{ safe_divide('purchases_joining_attribution', 'purchases') }} as purchase_attribution_share,
    coalesce(
        customer_ids >= {{ var('audit_min_offline_customer_ids') }}
        and {{ safe_divide('customer_ids_seen_on_web', 'customer_ids') }}
        < {{ var('audit_min_offline_customer_id_web_share') }},
        false
    ) as is_low_customer_id_web_match
from measured
