{{
    config(
        materialized='incremental',
        unique_key=['retailer', 'conversion_date'],
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

{#-
    One row per URL x date x channel x device of every retailer's daily
    conversion files (vendor spec 002). A daily file is the whole report of
    its date: the newest delivery of a date replaces every row of that date
    (also rows the new file no longer has), so the mart is delete+insert by
    retailer and date. Files whose rows hold another date never land.
-#}
with new_conversions as (

    select * from {{ ref('int_conversions__unioned') }}
    where _rejection_reason is null and {{ new_loads() }}

),

newest_file as (

    -- of several deliveries of one date, the one landed last is the report
    select
        *,
        max(_load_id) over (partition by retailer, conversion_date) as newest_load_id
    from new_conversions

),

keyed as (

    select
        {{ dbt.hash(dbt.concat([
            "retailer", "'|'", dbt.safe_cast("conversion_date", dbt.type_string()), "'|'", "page_url", "'|'",
            "coalesce(channel, '')", "'|'", "coalesce(device, '')"
        ])) }} as conversion_key,
        retailer,
        page_url,
        channel,
        device,
        transactions,
        revenue,
        is_page_url_protocol_defaulted,
        conversion_date,
        _source_file,
        _line_number,
        _load_id,
        row_number() over (
            partition by retailer, conversion_date, page_url, channel, device
            order by _line_number desc
        ) as version_rank
    from newest_file
    where _load_id = newest_load_id

)

select
    conversion_key,
    retailer,
    page_url,
    channel,
    device,
    transactions,
    revenue,
    is_page_url_protocol_defaulted,
    conversion_date,
    _source_file,
    _line_number,
    _load_id
from keyed
where version_rank = 1
