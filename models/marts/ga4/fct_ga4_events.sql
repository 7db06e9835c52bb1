{#-
    Every GA4 event of every GA4 source, one row each, for analysts: page
    views and purchases feed the page-view and order marts too; the others
    (view_item, add_to_cart, begin_checkout, scroll...) are here only. GA4
    sends no event id: an event is its visitor, time, name, session, stream
    and page (as dbt-ga4 users know it), so the daily export that follows
    an intraday one, or a file delivered twice, gives each event once, the
    newest delivery winning.
    Built only when a GA4 source exists.
-#}
{{
    config(
        materialized='incremental',
        unique_key='event_key',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        enabled=(var('staging_models', {}).get('ga4_events') or []) | length > 0,
    )
}}
{%- set columns = [
    'event_key', 'retailer', 'event_name', 'visitor_id', 'crm_id', 'session_id', 'ga_session_id', 'stream_id',
    'transaction_id', 'platform', 'page_location', 'page_referrer', 'page_title', 'event_source', 'event_medium',
    'event_campaign', 'device_category', 'device_operating_system', 'device_browser', 'geo_country', 'geo_region',
    'geo_city', 'currency_code', 'event_params', 'user_properties', 'items', 'ga_session_number',
    'engagement_time_msec', 'event_value', 'purchase_revenue', 'refund_value', 'total_item_quantity', 'event_date',
    'file_date', 'event_at', '_source_file', '_line_number', '_load_id',
] %}

with new_events as (

    select
        *,
        {{ dbt.hash(dbt.concat([
            "retailer", "'|'", "coalesce(visitor_id, '')", "'|'", timestamp_text("event_at"), "'|'", "event_name",
            "'|'", "coalesce(" ~ dbt.safe_cast("ga_session_id", dbt.type_string()) ~ ", '')",
            "'|'", "coalesce(stream_id, '')", "'|'", "coalesce(page_location, '')",
        ])) }} as event_key,
        {{ ga4_session_id('visitor_id', 'ga_session_id') }} as session_id,
        _file_date as file_date
    from {{ ref('int_ga4_events__unioned') }}
    where _rejection_reason is null and {{ new_loads() }}

),

keyed as (

    select
        {{ columns | join(',\n        ') }}
    from new_events

),

candidates as (
    {{ keep_latest('keyed', 'event_key') }}
),

ranked as (

    select
        *,
        row_number() over (
            partition by event_key
            order by file_date desc, _load_id desc, _line_number desc
        ) as version_rank
    from candidates

)

select
    {{ columns | join(',\n    ') }}
from ranked
where version_rank = 1
