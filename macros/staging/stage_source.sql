{% macro stage_source(source_name, table_name) %}
{#-
    The whole staging model of a retailer's source: the source's format (from
    its meta.loader block) says which columns to rename and cast; columns the
    raw table lacks become typed nulls so every retailer's model has the same
    shape; each row gets _rejection_reason (null when the row is valid) and
    _source_format.
    Formats with line items (a `line_items` block) also get _order_group (the
    value telling the rows of one order apart) and _order_rejection_reason:
    the problems of the row's order columns, which only count on the order's
    first row (int_order_lines__validated applies them). A `custom_fields`
    block gathers the <prefix><name> columns into one JSON text column.
-#}
    {%- set relation = source(source_name, table_name) -%}
    {%- if not execute -%}
        {{ return("select 1 as placeholder") }}
    {%- endif -%}
    {%- set spec = format_spec(source_format(source_name, table_name)) -%}
    {%- set present = {} -%}
    {%- set raw_columns = [] -%}
    {%- for column in adapter.get_columns_in_relation(relation) -%}
        {%- do present.update({column.name | lower: column.name}) -%}
        {%- do raw_columns.append(column.name) -%}
    {%- endfor -%}
    {%- set columns = order_staging_columns(staged_columns(spec, source_options(source_name, table_name))) -%}
    {%- set line_items = spec.get('line_items') -%}
    {%- set custom = spec.get('custom_fields') -%}
    {%- set order_level = [] -%}
    {%- for column in entity_columns(spec.entity) if line_items and column.get('level') == 'order' -%}
        {%- do order_level.append(column.name) -%}
    {%- endfor -%}
    {%- set row_columns, order_columns = [], [] -%}
    {%- for column in columns -%}
        {%- do (order_columns if column.name in order_level else row_columns).append(column) -%}
    {%- endfor -%}

with source as (

    select * from {{ relation }}

),

cleaned as (

    select
        {%- for column in columns %}
        {{ raw_text(present.get(column.source | lower)) }} as {{ adapter.quote(column.name ~ '__raw') }},
        {%- endfor %}
        {%- if custom %}
        {{ custom_fields(custom.prefix, raw_columns) }} as {{ custom.name }},
        {%- endif %}
        {%- if line_items %}
        {{ raw_text(present.get(line_items.order_rows | lower)) }} as _order_group,
        {%- endif %}
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
        {%- if custom %}
        {{ custom.name }},
        {%- endif %}
        {%- if line_items %}
        _order_group,
        {%- endif %}
        {{ rejection_reason(row_columns, spec.get('one_of_required', [])) }} as _rejection_reason,
        {%- if line_items %}
        {{ rejection_reason(order_columns) }} as _order_rejection_reason,
        {%- endif %}
        {{ text_literal(spec.name) }} as _source_format,
        _source_file,
        _file_date,
        _line_number,
        _loaded_at,
        _load_id
    from cleaned

)

select * from renamed
{%- endmacro %}
