{#-
    A table, not a view like the other unions: int_order_lines__validated
    reads it three times (structure, rows, order heads), and a view would
    cast and hash every staged row three times. Incremental by file: the
    files landed since the last run are added, and a re-landed file replaces
    its rows (delete+insert on the file).
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['retailer', '_source_file'],
        on_schema_change='fail',
    )
}}

select * from ({{ union_staging('order_lines') }}) as staged
where {{ new_loads() }}
