{#-
    Every delivered state of every order line, kept for good: one row per
    line item per delivery (file and load) of its order. The raw table holds
    only the newest content of a file (a re-delivered file replaces its rows),
    so the history an orderUpdate is computed from must be kept here, append
    only. Order columns are repeated on each line row (validation copies the
    order's first row), and each row carries hashes of the order's and the
    line's state, so versions compare by hash.
-#}
{#- BigQuery has no append strategy; its merge without a unique key only inserts -#}
{{
    config(
        materialized='incremental',
        incremental_strategy=('merge' if target.type == 'bigquery' else 'append'),
        on_schema_change='fail',
    )
}}
{%- set order_columns = order_state_columns('order') -%}
{%- set line_columns = order_state_columns('line') -%}

with new_lines as (

    select * from {{ ref('int_order_lines__validated') }}
    where _rejection_reason is null and {{ new_loads() }}

)

select
    {{ dbt.hash(dbt.concat(["retailer", "'|'", "order_id"])) }} as order_key,
    {{ dbt.hash(dbt.concat(["retailer", "'|'", "_source_file", "'|'", dbt.safe_cast('_load_id', dbt.type_string())])) }}
        as delivery_key,
    retailer,
    order_id,
    line_item_key,
    line_item_id,
    {%- for name in order_columns + line_columns %}
        {{ name }},
    {%- endfor %}
    updated_at,
    {{ state_hash(order_columns) }} as order_hash,
    {{ state_hash(line_columns) }} as line_hash,
    _source_format,
    _source_file,
    _file_date,
    _line_number,
    _loaded_at,
    _load_id
from new_lines
