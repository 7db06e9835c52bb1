-- Whole-table check: runs on full builds (retail-imports run --full-tests), not daily.
{{ config(tags=['whole_table']) }}
-- fct_conversions holds, for each retailer and date, exactly the valid rows
-- of the newest delivered file of that date (a daily file is the whole report).
with staged as (

    select
        *,
        max(_load_id) over (partition by retailer, conversion_date) as newest_load_id
    from {{ ref('int_conversions__unioned') }}
    where _rejection_reason is null

),

expected as (

    select
        retailer,
        conversion_date,
        max(_source_file) as source_file,
        count(distinct {{ dbt.concat(["page_url", "'|'", "coalesce(channel, '')", "'|'", "coalesce(device, '')"]) }})
            as conversion_rows
    from staged
    where _load_id = newest_load_id
    group by retailer, conversion_date

),

actual as (

    select
        retailer,
        conversion_date,
        max(_source_file) as source_file,
        count(*) as conversion_rows
    from {{ ref('fct_conversions') }}
    group by retailer, conversion_date

)

select
    expected.retailer,
    expected.conversion_date,
    expected.conversion_rows as expected_rows,
    actual.conversion_rows as actual_rows
from expected
left join actual
    on
        expected.retailer = actual.retailer
        and expected.conversion_date = actual.conversion_date
where
    actual.conversion_rows is null
    or actual.conversion_rows <> expected.conversion_rows
    or actual.source_file <> expected.source_file
