-- Whole-table check: runs on full builds (retail-imports run --full-tests), not daily.
{{ config(tags=['whole_table']) }}
-- Bot visits are kept (flagged) but never take the credit for an order.
with bot_sessions as (

    select sessions.session_key
    from {{ ref('int_sessions') }} as sessions
    inner join {{ ref('int_visitor_days') }} as visitor_days
        on
            sessions.retailer = visitor_days.retailer
            and sessions.visitor_id = visitor_days.visitor_id
            and sessions.started_date = visitor_days.activity_date
    where visitor_days.is_bot

)

select
    attribution.order_key,
    attribution.first_touch_session_key,
    attribution.last_touch_session_key
from {{ ref('fct_order_attribution') }} as attribution
inner join bot_sessions
    on
        attribution.first_touch_session_key = bot_sessions.session_key
        or attribution.last_touch_session_key = bot_sessions.session_key
