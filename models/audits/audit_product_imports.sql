{#-
    The product import report (vendor spec 003, "Product Import Results"):
    per imported file, the items in it, how many are valid, and of the valid
    ones how many were added, updated or unchanged compared to what was there
    before this import (the newest earlier valid version of each product).
-#}
with items as (

    select * from {{ ref('int_product_items') }}

),

compared as (

    select
        retailer,
        _source_file,
        is_valid,
        case
            when not is_valid then null
            when previous_hash is null then 'added'
            when previous_hash = item_hash then 'unchanged'
            else 'updated'
        end as outcome
    from (
        select
            *,
            case when is_valid then lag(item_hash) over (
                partition by retailer, product_id, is_valid
                order by file_date nulls first, _load_id
            ) end as previous_hash
        from items
    ) as ordered

),

files as (

    select
        retailer,
        file_name,
        file_date,
        load_id,
        finished_at
    from {{ source('loader', 'files') }}
    where status = 'landed' or coalesce(has_previous_version, false)   -- rows in raw

)

select
    compared.retailer,
    compared._source_file as file_name,
    files.file_date,
    files.load_id,
    files.finished_at as imported_at,
    count(*) as items_in_file,
    {{ count_where('compared.is_valid') }} as items_valid,
    {{ count_where('not compared.is_valid') }} as items_invalid,
    {{ count_where("compared.outcome = 'added'") }} as items_added,
    {{ count_where("compared.outcome = 'updated'") }} as items_updated,
    {{ count_where("compared.outcome = 'unchanged'") }} as items_unchanged
from compared
inner join files
    on
        compared.retailer = files.retailer
        and compared._source_file = files.file_name
group by compared.retailer, compared._source_file, files.file_date, files.load_id, files.finished_at
