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

){% if is_incremental() %},

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
    from {{ this }}
    where event_key in (select events.event_key from events)

){% endif %}

select
    events.event_key,
    events.event_type,
    events.retailer,
    events.visitor_id,
    events.crm_id,
    events.session_id,
    events.event_at,
    {%- if is_incremental() %}
    previous_versions.visitor_id as previous_visitor_id,
    previous_versions.crm_id as previous_crm_id,
    previous_versions.session_id as previous_session_id,
    previous_versions.event_at as previous_event_at,
    {%- else %}
    cast(null as {{ dbt.type_string() }}) as previous_visitor_id,
    cast(null as {{ dbt.type_string() }}) as previous_crm_id,
    cast(null as {{ dbt.type_string() }}) as previous_session_id,
    cast(null as {{ dbt.type_timestamp() }}) as previous_event_at,
    {%- endif %}
    events._load_id
from events
{%- if is_incremental() %}
left join previous_versions
    on
        events.event_key = previous_versions.event_key
        and events.event_type = previous_versions.event_type
        and previous_versions.version_rank = 1
{%- endif %}
