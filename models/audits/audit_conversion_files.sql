{#-
    Per daily conversion file (vendor spec 002): rows valid for the mart and
    how many URLs came without a protocol and took the source's default one
    (the vendor warns these may not match crawled URLs).
-#}
with conversions as (

    select * from {{ ref('int_conversions__unioned') }}

)

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
