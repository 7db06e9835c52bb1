{% macro ga4_page_views(events) %}
{#-
    The page views of one GA4 source, in the columns of the page_views entity
    (those of the Symbiosys visits format), from its staged events
    (`events`: the relation of stg_<retailer>__<ga4 dataset>). One row per
    page_view event: visitor id = user_pseudo_id, CRM id = user_id, session
    = visitor id + ga_session_id, URL = page_location, referrer =
    page_referrer, UTM tags per ga4_traffic_field, device = device.category,
    platform web or app. GA4 sends no event id (fct_page_views keys a view
    by visitor, session, time and URL) and no user agent (bots are found by
    their rate). A view without visitor id, URL or time is kept and flagged.
-#}
with page_view_events as (

    select * from {{ events }}
    where event_name = 'page_view'

),

renamed as (

    select
        retailer,
        cast(null as {{ dbt.type_string() }}) as event_id,
        visitor_id,
        crm_id,
        {{ ga4_session_id('visitor_id', 'ga_session_id') }} as session_id,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        'page_view' as event_type,
        page_location as page_url,
        page_referrer as referrer_url,
        {%- for field in ['source', 'medium', 'campaign', 'term', 'content'] %}
        {{ ga4_traffic_field(field) }} as utm_{{ field }},
        {%- endfor %}
        {{ ga4_platform('platform') }} as platform,
        {{ ga4_value('device_category') }} as device_type,
        cast(null as {{ dbt.type_string() }}) as user_agent,
        event_at as viewed_at,
        {{ join_reasons([
            '_rejection_reason',
            "case when visitor_id is null then 'user_pseudo_id: required value missing' end",
            "case when page_location is null then 'page_location: required value missing' end",
        ]) }} as _rejection_reason,
        _source_format,
        _source_file,
        _file_date,
        _line_number,
        _loaded_at,
        _load_id
    from page_view_events

)

select * from renamed
{%- endmacro %}
