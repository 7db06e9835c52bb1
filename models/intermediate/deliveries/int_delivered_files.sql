{#-
    One row per landed file: its rows invalid in staging (or in the
    validation model of its entity) and, for dated entities (page views,
    orders), its oldest valid event date and how many of its events are
    older than processing_window_days before the file's date (vendor spec
    000). None of this changes after a file landed (a changed file delivered
    again lands under a new load and replaces its row), so each build reads
    only the files landed since: audit_import_files and audit_deliveries read
    this instead of every staged row. A change of the staging rules or of
    processing_window_days needs `--full-refresh` of this model.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='file_name',
        on_schema_change='fail',
    )
}}

{#- the files landed since the last build: their load ids come after the newest one here -#}
{%- set after = '(select coalesce(max(_load_id), 0) from ' ~ this ~ ')' if is_incremental() else '0' %}

with files as (

    select
        file_name,
        max(load_id) as load_id
    from {{ source('loader', 'files') }}
    where status = 'landed' and load_id > {{ after }}
    group by file_name

),

invalid_rows as (

    select
        source_file as file_name,
        count(*) as rows_invalid
    from ({{ rejected_in_staging() }}) as rejected
    where load_id > {{ after }}
    group by source_file

),

event_dates as (

    -- One line per dated entity; a new entity with an event time adds its union here.
    select
        _source_file,
        _file_date,
        cast(viewed_at as date) as event_date
    from {{ ref('int_page_views__unioned') }}
    where _rejection_reason is null and _load_id > {{ after }}
    union all
    select
        _source_file,
        _file_date,
        cast(ordered_at as date) as event_date
    from {{ ref('int_orders__unioned') }}
    where _rejection_reason is null and _load_id > {{ after }}

),

lateness as (

    select
        _source_file as file_name,
        min(event_date) as oldest_event_date,
        sum(
            case
                when {{ dbt.datediff('event_date', '_file_date', 'day') }} > {{ var('processing_window_days') }}  -- noqa: LT05
                    then 1
                else 0
            end
        ) as events_outside_window
    from event_dates
    group by _source_file

)

select
    files.file_name,
    lateness.oldest_event_date,
    files.load_id as _load_id,
    coalesce(invalid_rows.rows_invalid, 0) as rows_invalid,
    coalesce(lateness.events_outside_window, 0) as events_outside_window
from files
left join invalid_rows
    on files.file_name = invalid_rows.file_name
left join lateness
    on files.file_name = lateness.file_name
