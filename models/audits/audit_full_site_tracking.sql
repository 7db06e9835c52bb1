{#-
    Full-site tracking per retailer and day (vendor spec 001: "Ensure
    full-site tracking. Capture all key page views—not just landing pages
    and orders—to prevent session mismatches and incomplete attribution").
    Three signs that only landing pages, or only orders, reach the files:
    sessions of a single page view; orders with no page view in their
    session nor of their visitor id before them; page views of URLs that are
    only ever the first page of a session (URLs compared without query
    string). Bot visitor-days are left out, as in the other audits. Each
    is_* / has_* flag is a warn-level test, its threshold a project var.
-#}
with humans as (

    select
        retailer,
        visitor_id,
        activity_date
    from {{ ref('int_visitor_days') }}
    where not is_bot

),

sessions as (

    select
        sessions.retailer,
        sessions.started_date as activity_date,
        sessions.page_views
    from {{ ref('int_sessions') }} as sessions
    inner join humans
        on
            sessions.retailer = humans.retailer
            and sessions.visitor_id = humans.visitor_id
            and sessions.started_date = humans.activity_date

),

page_views as (

    select
        page_views.retailer,
        page_views.viewed_date as activity_date,
        {{ url_page('page_views.page_url') }} as page,
        page_views.viewed_at = page_views.session_started_at as is_landing
    from {{ ref('int_page_views__sessionized') }} as page_views
    inner join humans
        on
            page_views.retailer = humans.retailer
            and page_views.visitor_id = humans.visitor_id
            and page_views.viewed_date = humans.activity_date

),

pages as (

    -- a page never seen after the first page view of a session is landing-only
    select
        retailer,
        page,
        {{ count_where('not is_landing') }} = 0 as is_landing_only
    from page_views
    group by retailer, page

),

orders as (

    select
        order_key,
        retailer,
        visitor_id,
        session_id,
        ordered_at,
        ordered_date
    from {{ ref('fct_orders') }}
    where visitor_id is not null or session_id is not null

),

orders_with_page_views as (

    -- a page view of the order's session (same session id), or of its visitor id before it
    select orders.order_key
    from orders
    inner join {{ ref('fct_page_views') }} as page_views
        on
            orders.retailer = page_views.retailer
            and orders.session_id = page_views.session_id
    union distinct
    select orders.order_key
    from orders
    inner join {{ ref('fct_page_views') }} as page_views
        on
            orders.retailer = page_views.retailer
            and orders.visitor_id = page_views.visitor_id
            and orders.ordered_at >= page_views.viewed_at

),

session_days as (

    select
        retailer,
        activity_date,
        count(*) as sessions,
        {{ count_where('page_views = 1') }} as single_page_view_sessions
    from sessions
    group by retailer, activity_date

),

page_view_days as (

    select
        page_views.retailer,
        page_views.activity_date,
        count(*) as page_views,
        {{ count_where('pages.is_landing_only') }} as landing_only_page_views
    from page_views
    inner join pages
        on
            page_views.retailer = pages.retailer
            and page_views.page = pages.page
    group by page_views.retailer, page_views.activity_date

),

order_days as (

    select
        orders.retailer,
        orders.ordered_date as activity_date,
        count(*) as orders,
        {{ count_where('tracked.order_key is null') }} as orders_without_page_views
    from orders
    left join orders_with_page_views as tracked
        on orders.order_key = tracked.order_key
    group by orders.retailer, orders.ordered_date

),

retailer_days as (

    select
        retailer,
        activity_date
    from session_days
    union distinct
    select
        retailer,
        activity_date
    from page_view_days
    union distinct
    select
        retailer,
        activity_date
    from order_days

),

measured as (

    select
        retailer_days.retailer,
        retailer_days.activity_date,
        coalesce(session_days.sessions, 0) as sessions,
        coalesce(session_days.single_page_view_sessions, 0) as single_page_view_sessions,
        coalesce(page_view_days.page_views, 0) as page_views,
        coalesce(page_view_days.landing_only_page_views, 0) as landing_only_page_views,
        coalesce(order_days.orders, 0) as orders,
        coalesce(order_days.orders_without_page_views, 0) as orders_without_page_views,
        {{ safe_divide('session_days.single_page_view_sessions', 'session_days.sessions') }}
            as single_page_view_session_share,
        {{ safe_divide('page_view_days.landing_only_page_views', 'page_view_days.page_views') }}
            as landing_only_page_view_share,
        {{ safe_divide('order_days.orders_without_page_views', 'order_days.orders') }}
            as orders_without_page_view_share
    from retailer_days
    left join session_days
        on
            retailer_days.retailer = session_days.retailer
            and retailer_days.activity_date = session_days.activity_date
    left join page_view_days
        on
            retailer_days.retailer = page_view_days.retailer
            and retailer_days.activity_date = page_view_days.activity_date
    left join order_days
        on
            retailer_days.retailer = order_days.retailer
            and retailer_days.activity_date = order_days.activity_date

)

select
    *,
    coalesce(
        sessions >= {{ var('audit_min_sessions') }}
        and single_page_view_session_share > {{ var('audit_max_single_page_view_session_share') }},
        false
    ) as is_mostly_single_page_view_sessions,
    coalesce(
        page_views >= {{ var('audit_min_sessions') }}
        and landing_only_page_view_share > {{ var('audit_max_landing_only_page_view_share') }},
        false
    ) as is_mostly_landing_only_page_views,
    coalesce(
        orders >= {{ var('audit_min_orders') }}
        and orders_without_page_view_share > {{ var('audit_max_orders_without_page_view_share') }},
        false
    ) as has_many_orders_without_page_views
from measured
