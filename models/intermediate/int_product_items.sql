{#-
    One row per product (item) of each product feed import: its attributes as
    the file gives them (first row of the product), whether it is valid (no
    row of it breaks the format: vendor spec 003, "import errors invalidate
    the entry"), and a hash of its attributes to tell updates from unchanged
    re-imports.
-#}
{%- set columns = product_attribute_columns() %}
{%- set hash_parts = [] %}
{%- for column in columns %}
    {%- do hash_parts.append("coalesce(" ~ dbt.safe_cast('first_rows.' ~ column, dbt.type_string()) ~ ", '<null>')") %}
    {%- if not loop.last %}{% do hash_parts.append("'|'") %}{% endif %}
{%- endfor %}

with product_rows as (

    select * from {{ ref('int_product_rows') }}
    where row_role in ('item', 'continuation')

),

items as (

    select
        retailer,
        _source_file,
        item_id,
        count(*) as rows_in_item,
        count(_rejection_reason) as invalid_rows
    from product_rows
    group by retailer, _source_file, item_id

),

first_rows as (

    select * from product_rows
    where row_role = 'item'

)

select
    {{ dbt.hash(dbt.concat(["first_rows.retailer", "'|'", "first_rows.product_id"])) }} as product_key,
    first_rows.retailer,
    first_rows.item_id,
    first_rows.product_id,
    first_rows.{{ columns | join(',\n    first_rows.') }},
    items.rows_in_item,
    items.invalid_rows = 0 and first_rows.product_id is not null as is_valid,
    {{ dbt.hash(dbt.concat(hash_parts)) }} as item_hash,
    first_rows._file_date as file_date,
    first_rows._source_file,
    first_rows._line_number,
    first_rows._load_id
from first_rows
inner join items
    on
        first_rows.retailer = items.retailer
        and first_rows._source_file = items._source_file
        and first_rows.item_id = items.item_id
