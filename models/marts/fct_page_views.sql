{{
    config(
        materialized='incremental',
        unique_key='page_view_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

with new_page_views as (

    select * from {{ ref('int_page_views__unioned') }}
    where _rejection_reason is null and {{ new_loads() }}

),

natural_keys as (

    -- retailers without event ids: a view is its visitor, session, time and URL
    select
        *,
        coalesce(
            event_id,
            {{ dbt.concat([
                "visitor_id", "'|'", "coalesce(session_id, '')", "'|'",
                timestamp_text("viewed_at"), "'|'", "page_url"
            ]) }}
        ) as event_key
    from new_page_views

),

keyed as (

    select
        {{ dbt.hash(dbt.concat(["retailer", "'|'", "event_key"])) }} as page_view_id,
        retailer,
        event_id,
        visitor_id,
        crm_id,
        session_id,
        campaign_id,
        event_type,
        page_url,
        referrer_url,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_term,
        utm_content,
        platform,
        device_type,
        user_agent,
        cast(viewed_at as date) as viewed_date,
        _file_date as file_date,
        {{ dbt.datediff('cast(viewed_at as date)', '_file_date', 'day') }} as days_late,  -- noqa: LT05
        viewed_at,
        _source_file,
        _line_number,
        _load_id
    from natural_keys

),

candidates as (
    {{ keep_latest('keyed', 'page_view_id') }}
),

ranked as (

    select
        *,
        row_number() over (
            partition by page_view_id
            order by file_date desc, _load_id desc, _line_number desc
        ) as version_rank
    from candidates

)

select
    page_view_id,
    retailer,
    event_id,
    visitor_id,
    crm_id,
    session_id,
    campaign_id,
    event_type,
    page_url,
    referrer_url,
    utm_source,
    utm_medium,
    utm_campaign,
    utm_term,
    utm_content,
    platform,
    device_type,
    user_agent,
    viewed_date,
    file_date,
    days_late,
    viewed_at,
    _source_file,
    _line_number,
    _load_id
from ranked
where version_rank = 1
