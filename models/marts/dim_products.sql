{{
    config(
        materialized='incremental',
        unique_key='product_key',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

{#-
    One row per product of every retailer, from its product feeds (vendor spec
    003 "Product Data"): the newest valid version (file date, then landing
    order). Products missing from a later feed stay: feeds add and update,
    they do not delete. Used to fill line-item attributes an order file
    omits, never to overwrite them.
-#}
{%- set columns = product_attribute_columns() %}

with new_items as (

    select * from {{ ref('int_product_items') }}
    where is_valid and {{ new_loads() }}

),

keyed as (

    select
        product_key,
        retailer,
        product_id,
        {{ columns | join(',\n        ') }},
        item_hash,
        file_date,
        _source_file,
        _line_number,
        _load_id
    from new_items

),

candidates as (
    {{ keep_latest('keyed', 'product_key') }}
),

ranked as (

    select
        *,
        row_number() over (
            partition by product_key
            order by file_date desc nulls last, _load_id desc, _line_number desc
        ) as version_rank
    from candidates

)

select
    product_key,
    retailer,
    product_id,
    {{ columns | join(',\n    ') }},
    item_hash,
    file_date,
    _source_file,
    _line_number,
    _load_id
from ranked
where version_rank = 1
