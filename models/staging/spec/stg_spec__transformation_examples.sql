{#-
    The spec's transformation examples (seed transformation_examples) through
    the very macros sources use in meta.loader.transformations: casts to
    each type, the mapping "1" -> "one", "2" -> "two", and the timestamp
    pattern yyyy/MM/dd hh:mm. Its unit tests hold the spec's tables.
-#}
{%- set types = ['string', 'integer', 'float', 'bool'] -%}

with examples as (

    select * from {{ ref('transformation_examples') }}

),

transformed as (

    select
        example_id,
        value,
        value_type,
        {%- for type in types %}
        {{ cast_field_value('value', type) }} as cast_to_{{ type }},
        {%- endfor %}
        {{ map_field_values('value', [{'from': '1', 'to': 'one'}, {'from': '2', 'to': 'two'}], 'value_type') }} as mapped_value,
        {{ custom_timestamp('value', 'yyyy/MM/dd hh:mm') }} as custom_timestamp
    from examples

)

select
    example_id,
    value,
    value_type,
    {%- for type in types %}
    cast_to_{{ type }},
    {%- endfor %}
    {%- set errors = [] %}
    {%- for type in types %}
    {%- do errors.append("case when cast_to_" ~ type ~ " is null then '" ~ type ~ "' end") %}
    {%- endfor %}
    {{ join_reasons(errors) }} as cast_errors,
    mapped_value,
    custom_timestamp
from transformed
