{#-
    Delivery monitoring per retailer, dataset and file date (vendor spec
    000: files "hourly or at least once daily", events at most
    processing_window_days old). Every day from the retailer's first to its
    latest delivered file date is expected for each of its datasets; each
    source's cadence (meta.loader.cadence, daily by default) sets when a
    day's file is due: by the end of the next day plus
    delivery_grace_hours of the cadence. Files dated before a source's first
    landing day are its back-fill, never late. Hourly sources count the hours
    delivered each day (file names with an hour after the date; a file without
    an hour covers its whole day); the latest day is expected up to its
    latest delivered hour. Whether the newest files are recent enough is dbt
    source freshness's job (on _loaded_at).
-#}
with sources as (

    {{ loader_cadences() }}

),

files as (

    select
        retailer,
        dataset,
        file_name,
        file_date,
        file_hour,
        status,
        rows_landed,
        finished_at,
        -- its rows are in raw: landed, or a failed re-delivery that kept the previous version
        status = 'landed' or coalesce(has_previous_version, false) as is_in_raw
    from {{ source('loader', 'files') }}

),

file_events as (

    select
        file_name,
        oldest_event_date,
        events_outside_window
    from {{ ref('int_delivered_files') }}

),

retailer_bounds as (

    select
        retailer,
        min(file_date) as first_file_date,
        max(file_date) as last_file_date
    from files
    where is_in_raw and file_date is not null
    group by retailer

),

first_landings as (

    select
        retailer,
        dataset,
        cast(min(finished_at) as date) as first_landed_date
    from files
    where is_in_raw
    group by retailer, dataset

),

expected_sources as (

    select
        sources.retailer,
        sources.dataset,
        sources.cadence,
        sources.grace_hours,
        retailer_bounds.first_file_date,
        retailer_bounds.last_file_date
    from sources
    inner join retailer_bounds
        on sources.retailer = retailer_bounds.retailer

),

calendar as (

    {{ days_between('expected_sources', 'first_file_date', 'last_file_date', 'file_date') }}

),

calendar_days as (

    select
        *,
        cast(file_date as {{ dbt.type_timestamp() }}) as file_day_start
    from calendar

),

delivered as (

    select
        files.retailer,
        files.dataset,
        files.file_date,
        sum(case when files.is_in_raw then 1 else 0 end) as files_landed,
        sum(case when files.status = 'failed' then 1 else 0 end) as files_failed,
        sum(case when files.is_in_raw then files.rows_landed else 0 end) as rows_landed,
        sum(coalesce(file_events.events_outside_window, 0)) as events_outside_window,
        min(file_events.oldest_event_date) as oldest_event_date,
        min(case when files.is_in_raw then files.finished_at end) as landed_at,
        count(distinct case when files.is_in_raw then files.file_hour end) as hours_landed,
        max(case when files.is_in_raw then files.file_hour end) as last_hour_landed,
        {{ count_where("files.is_in_raw and files.file_hour is null") }} as whole_day_files_landed
    from files
    left join file_events
        on files.file_name = file_events.file_name
    where files.file_date is not null
    group by files.retailer, files.dataset, files.file_date

),

retailer_hours as (

    select
        retailer,
        file_date,
        max(last_hour_landed) as last_hour_landed
    from delivered
    group by retailer, file_date

),

judged as (

    select
        calendar.retailer,
        calendar.dataset,
        calendar.cadence,
        calendar.file_date,
        coalesce(delivered.files_landed, 0) as files_landed,
        coalesce(delivered.files_failed, 0) as files_failed,
        coalesce(delivered.rows_landed, 0) as rows_landed,
        coalesce(delivered.events_outside_window, 0) as events_outside_window,
        delivered.oldest_event_date,
        case
            when coalesce(delivered.whole_day_files_landed, 0) > 0 then 24
            else coalesce(delivered.hours_landed, 0)
        end as hours_landed,
        case
            -- the latest day may still be going on: expected up to the latest hour delivered
            when calendar.file_date = calendar.last_file_date then coalesce(retailer_hours.last_hour_landed + 1, 24)
            else 24
        end as hours_expected,
        {{ dbt.dateadd('hour', '24 + calendar.grace_hours', 'calendar.file_day_start') }} as due_at,
        delivered.landed_at,
        coalesce(
            {{ dbt.datediff('calendar.file_date', 'first_landings.first_landed_date', 'day') }} > 1,  -- noqa: LT05
            false
        ) as is_backfill
    from calendar_days as calendar
    left join delivered
        on
            calendar.retailer = delivered.retailer
            and calendar.dataset = delivered.dataset
            and calendar.file_date = delivered.file_date
    left join first_landings
        on
            calendar.retailer = first_landings.retailer
            and calendar.dataset = first_landings.dataset
    left join retailer_hours
        on
            calendar.retailer = retailer_hours.retailer
            and calendar.file_date = retailer_hours.file_date

)

select
    retailer,
    dataset,
    cadence,
    file_date,
    files_landed,
    files_failed,
    rows_landed,
    events_outside_window,
    oldest_event_date,
    is_backfill,
    files_landed = 0 as is_missing,
    hours_landed,
    case
        when cadence = 'hourly' and files_landed > 0 and hours_landed < hours_expected
            then hours_expected - hours_landed
        else 0
    end as hours_missing,
    coalesce(not is_backfill and landed_at > due_at, false) as is_late,
    case
        when not is_backfill and landed_at > due_at then {{ dbt.datediff('due_at', 'landed_at', 'hour') }}
    end as hours_late,
    due_at,
    landed_at
from judged
