-- sqlfluff:indentation:template_blocks_indent:False
{#-
    The change feed of the visitor models (Snowplow web's "events this run",
    kept): one row each time a page view or an order lands in its mart, new
    or as a newer delivery of itself, with the visitor id, CRM id, session id
    and time it has now and had before (previous_*, null for a new one). The
    marts keep only the newest version of an event, so what a re-delivery
    replaced is known only here. Append only; each visitor model reads the
    rows newer than those it has processed (_changes_load_id) and rebuilds
    the visitors, sessions, days, identities and orders they can change.
-#}
{#- BigQuery has no append strategy; its merge without a unique key only inserts -#}
{{
    config(
        materialized='incremental',
        incremental_strategy=('merge' if target.type == 'bigquery' else 'append'),
        on_schema_change='fail',
    )
}}
{#- The version a delivery replaces is looked for from processing_window_days
    before the earliest new event: a constant, so old row groups (BigQuery
    partitions) are skipped. An event delivered again with a time moved later
    by more than that is taken as new, as the facts' lookups bound it
    (DECISIONLOG "Newest-delivery lookups look back from the incoming rows' dates"). A full build has no earlier versions. -#}
{%- set previous_from = none -%}
{%- if is_incremental() and execute -%}
{%- set earliest = run_query(
    "select cast(min(event_at) as " ~ api.Column.translate_type('string') ~ ") from ("
    ~ "select viewed_at as event_at from " ~ ref('fct_page_views') ~ " where " ~ new_loads()
    ~ " union all select ordered_at from " ~ ref('fct_orders') ~ " where " ~ new_loads() ~ ") as new_events"
).rows[0][0] -%}
{%- if earliest is not none -%}
{%- set previous_from = dbt.dateadd('day', -var('processing_window_days'),
    "cast('" ~ earliest ~ "' as " ~ api.Column.translate_type('timestamp') ~ ")") -%}
{%- endif -%}
{%- endif %}

with page_views as (

    select
        page_view_id as event_key,
        'page_view' as event_type,
        retailer,
        visitor_id,
        crm_id,
        session_id,
        viewed_at as event_at,
        _load_id
    from {{ ref('fct_page_views') }}
    where {{ new_loads() }}

),

orders as (

    select
        order_key as event_key,
        'order' as event_type,
        retailer,
        visitor_id,
        crm_id,
        session_id,
        ordered_at as event_at,
        _load_id
    from {{ ref('fct_orders') }}
    where {{ new_loads() }}

),

events as (

    select * from page_views
    union all
    select * from orders

),

-- the version each event had until now: its newest row in this feed
previous_versions as (

    select
        event_key,
        event_type,
        visitor_id,
        crm_id,
        session_id,
        event_at,
        row_number() over (partition by event_key, event_type order by _load_id desc) as version_rank
    from {{ this if is_incremental() else 'events' }}
    where
        {{ 'event_at >= ' ~ previous_from if previous_from else '1 = 0' }}
        and event_key in (select events.event_key from events)

)

select
    events.event_key,
    events.event_type,
    events.retailer,
    events.visitor_id,
    events.crm_id,
    events.session_id,
    events.event_at,
    previous_versions.visitor_id as previous_visitor_id,
    previous_versions.crm_id as previous_crm_id,
    previous_versions.session_id as previous_session_id,
    previous_versions.event_at as previous_event_at,
    events._load_id
from events
left join previous_versions
    on
        events.event_key = previous_versions.event_key
        and events.event_type = previous_versions.event_type
        and previous_versions.version_rank = 1
