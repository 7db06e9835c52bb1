{#-
    The spec's transformation examples (seed transformation_examples) through
    the very macros sources use in meta.loader.transformations: casts to
    each type, the mapping "1" -> "one", "2" -> "two", and the timestamp
    pattern yyyy/MM/dd hh:mm. Its unit tests hold the spec's tables.
-#}
{%- set spec_mapping = [{'from': '1', 'to': 'one'}, {'from': '2', 'to': 'two'}] -%}
{%- set cast_errors = [] -%}
{%- for type in ['integer', 'float', 'bool'] -%}
    {%- do cast_errors.append("case when cast_to_" ~ type ~ " is null then '" ~ type ~ "' end") -%}
{%- endfor -%}

with examples as (

    select * from {{ ref('transformation_examples') }}

),

transformed as (

    select
        example_id,
        value,
        value_type,
        {{ cast_field_value('value', 'string') }} as cast_to_string,
        {{ cast_field_value('value', 'integer') }} as cast_to_integer,
        {{ cast_field_value('value', 'float') }} as cast_to_float,
        {{ cast_field_value('value', 'bool') }} as cast_to_bool,
        {{ map_field_values('value', spec_mapping, 'value_type') }} as mapped_value,
        {{ custom_timestamp('value', 'yyyy/MM/dd hh:mm') }} as custom_timestamp
    from examples

)

select
    example_id,
    value,
    value_type,
    cast_to_string,
    cast_to_integer,
    cast_to_float,
    cast_to_bool,
    {{ join_reasons(cast_errors) }} as cast_errors,
    mapped_value,
    custom_timestamp
from transformed
