{#-
    Every staged product feed row with its part in the import: the row that
    holds an item (`item`, the first row of a product id in its file), a
    continuation row of that item (`continuation`: Shopify's variant and image
    rows), or a `duplicate` (the id already appeared in the file, in a format
    without continuation rows: the later row is ignored). A row without a
    product id is an item of its own, invalid.
-#}
{%- set has_continuation = adapter.get_columns_in_relation(ref('int_products__unioned'))
    | selectattr('name', 'equalto', '_is_continuation_row') | list | length > 0 %}

with product_rows as (

    select
        *,
        coalesce(
            product_id,
            {{ dbt.concat(["'(no id, line '", dbt.safe_cast("_line_number", dbt.type_string()), "')'"]) }}
        ) as item_id,
        {{ 'coalesce(_is_continuation_row, false)' if has_continuation else 'false' }} as is_continuation
    from {{ ref('int_products__unioned') }}

),

numbered as (

    select
        *,
        row_number() over (
            partition by retailer, _source_file, item_id
            order by _line_number
        ) as row_in_item
    from product_rows

)

select
    retailer,
    _source_file,
    item_id,
    product_id,
    {{ product_attribute_columns() | join(',\n    ') }},
    case
        when row_in_item = 1 then 'item'
        when is_continuation then 'continuation'
        else 'duplicate'
    end as row_role,
    _rejection_reason,
    _file_date,
    _line_number,
    _load_id
from numbered
