{#-
    Per daily conversion file (vendor spec 002): rows valid for the mart and
    how many URLs came without a protocol and took the source's default one
    (the vendor warns these may not match crawled URLs). The vendor expects
    "one file daily" whose "filename must be unique and contain the date": a
    second file of a date is counted here, and only the newest delivery of a
    date reaches fct_conversions.
-#}
with conversions as (

    select * from {{ ref('int_conversions__unioned') }}

),

files as (

    select
        retailer,
        _source_file as file_name,
        _file_date as file_date,
        max(_load_id) as load_id,
        count(*) as rows_landed,
        {{ count_where('_rejection_reason is null') }} as rows_valid,
        {{ count_where('_rejection_reason is null and is_page_url_protocol_defaulted') }} as urls_with_default_protocol
    from conversions
    group by retailer, _source_file, _file_date

)

select
    retailer,
    file_name,
    file_date,
    load_id,
    rows_landed,
    rows_valid,
    urls_with_default_protocol,
    count(*) over (partition by retailer, file_date) as files_of_date,
    load_id = max(load_id) over (partition by retailer, file_date) as is_newest_of_date
from files
