{% macro stage_source(source_name, table_name) %}
{#-
    The whole staging model of a retailer's source: the source's format (from
    its meta.loader block) says which columns to rename and cast; columns the
    raw table lacks become typed nulls so every retailer's model has the same
    shape; each row gets _rejection_reason (null when the row is valid).
-#}
    {%- set relation = source(source_name, table_name) -%}
    {%- if not execute -%}
        {{ return("select 1 as placeholder") }}
    {%- endif -%}
    {%- set spec = format_spec(source_format(source_name, table_name)) -%}
    {%- set present = {} -%}
    {%- for column in adapter.get_columns_in_relation(relation) -%}
        {%- do present.update({column.name | lower: column.name}) -%}
    {%- endfor -%}
    {%- set columns = order_staging_columns(spec['columns']) -%}

with source as (

    select * from {{ relation }}

),

cleaned as (

    select
        {%- for column in columns %}
        {{ raw_text(present.get(column.source | lower)) }} as {{ adapter.quote(column.name ~ '__raw') }},
        {%- endfor %}
        _retailer,
        _source_file,
        _file_date,
        _line_number,
        _loaded_at,
        _load_id
    from source

),

renamed as (

    select
        _retailer as retailer,
        {%- for column in columns %}
        {{ cast_value(adapter.quote(column.name ~ '__raw'), column) }} as {{ column.name }},
        {%- endfor %}
        {{ rejection_reason(columns, spec.get('one_of_required', [])) }} as _rejection_reason,
        _source_file,
        _file_date,
        _line_number,
        _loaded_at,
        _load_id
    from cleaned

)

select * from renamed
{%- endmacro %}
