{#-
    The issues table of the product import report (vendor spec 003): per
    imported file, column and problem, how many items have it and what share
    of the file's items that is. An item with an issue is invalid and not
    imported, except for a duplicate id, whose later rows are ignored.
-#}
with product_rows as (

    select * from {{ ref('int_product_rows') }}

),

row_issues as (

    select
        product_rows.retailer,
        product_rows._source_file,
        product_rows.item_id,
        reason.issue
    from product_rows
    cross join {{ unnest_text_list(split_text('product_rows._rejection_reason', '; '), 'reason', 'issue') }}
    where product_rows._rejection_reason is not null and product_rows.row_role <> 'duplicate'

    union all

    select
        retailer,
        _source_file,
        item_id,
        'product_id: duplicate id in the file (later rows ignored)' as issue
    from product_rows
    where row_role = 'duplicate'

),

issues as (

    select
        retailer,
        _source_file,
        item_id,
        {{ dbt.split_part('issue', "': '", 1) }} as column_name,
        -- what follows "<column>: "
        {{ dbt.right('issue', dbt.length('issue') ~ ' - ' ~ dbt.length(dbt.split_part('issue', "': '", 1)) ~ ' - 2') }}
            as problem
    from row_issues

),

items_per_file as (

    select
        retailer,
        _source_file,
        count(*) as items_in_file
    from {{ ref('int_product_items') }}
    group by retailer, _source_file

)

select
    issues.retailer,
    issues._source_file as file_name,
    issues.column_name,
    issues.problem,
    count(distinct issues.item_id) as items_with_issue,
    round(100.0 * count(distinct issues.item_id) / items_per_file.items_in_file, 2) as percent_of_items
from issues
inner join items_per_file
    on
        issues.retailer = items_per_file.retailer
        and issues._source_file = items_per_file._source_file
group by issues.retailer, issues._source_file, issues.column_name, issues.problem, items_per_file.items_in_file
