{#-
    One row per delivered file of a dated entity (page views, orders): its
    oldest valid event date and how many of its events are older than
    processing_window_days before the file's date (vendor spec 000). A
    file's events do not change after it landed, so each build reads only
    the files landed since (a changed file delivered again replaces its
    row); audit_deliveries reads this instead of every staged row.
    A new processing_window_days needs `--full-refresh` of this model.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='file_name',
        on_schema_change='fail',
    )
}}

with event_dates as (

    -- One line per dated entity; a new entity with an event time adds its union here.
    select
        _source_file,
        _file_date,
        cast(viewed_at as date) as event_date,
        _load_id
    from {{ ref('int_page_views__unioned') }}
    where _rejection_reason is null and {{ new_loads() }}
    union all
    select
        _source_file,
        _file_date,
        cast(ordered_at as date) as event_date,
        _load_id
    from {{ ref('int_orders__unioned') }}
    where _rejection_reason is null and {{ new_loads() }}

)

select
    _source_file as file_name,
    min(event_date) as oldest_event_date,
    sum(
        case
            when {{ dbt.datediff('event_date', '_file_date', 'day') }} > {{ var('processing_window_days') }}  -- noqa: LT05
                then 1
            else 0
        end
    ) as events_outside_window,
    max(_load_id) as _load_id
from event_dates
group by _source_file
