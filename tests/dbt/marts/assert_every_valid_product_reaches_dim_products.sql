-- Whole-table check: runs on full builds (retail-imports run --full-tests), not daily.
{{ config(tags=['whole_table']) }}
-- Nothing is lost between the imports and the dimension: every product valid
-- in some import has its row in dim_products.
with imported as (

    select distinct
        retailer,
        product_id
    from {{ ref('int_product_items') }}
    where is_valid

)

select
    imported.retailer,
    imported.product_id
from imported
left join {{ ref('dim_products') }} as products
    on
        imported.retailer = products.retailer
        and imported.product_id = products.product_id
where products.product_id is null
