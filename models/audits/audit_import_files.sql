{#- One row per delivered file: what the loader did with it and what reached the marts. -#}
with files as (

    select * from {{ source('loader', 'files') }}

),

-- rows invalid in staging, counted once when the file landed
rejected_in_staging as (

    select
        file_name as source_file,
        rows_invalid
    from {{ ref('int_delivered_files') }}

)

select
    files.retailer,
    files.dataset,
    files.file_name,
    files.format,
    files.status,
    files.message,
    files.file_date,
    files.rows_read,
    files.rows_landed,
    files.rows_rejected,
    files.delimiter,
    files.encoding,
    files.checksum,
    files.file_size,
    files.load_id,
    files.started_at,
    files.finished_at,
    files.duration_ms,
    coalesce(files.has_previous_version, false) as has_previous_version,
    coalesce(rejected_in_staging.rows_invalid, 0) as rows_invalid,
    files.rows_landed - coalesce(rejected_in_staging.rows_invalid, 0) as rows_valid,
    files.rows_read = files.rows_landed + files.rows_rejected as is_reconciled
from files
left join rejected_in_staging
    on files.file_name = rejected_in_staging.source_file
