{#-
    Every row that did not make it to the marts, in one place: records the
    loader could not parse and staged rows whose values break the format.
-#}
with unparseable as (

    select
        retailer,
        dataset,
        source_file,
        line_number,
        'parse' as stage,
        coalesce(error_type, 'parse error') || ': ' || coalesce(reason, '') as reason,
        raw_text
    from {{ source('loader', 'rejects') }}

),

{% set staged = [] -%}
{%- for entity, members in var('staging_models').items() -%}
    {%- for member in members -%}
        {%- do staged.append((member, ref(member))) -%}
    {%- endfor -%}
{%- endfor %}

invalid as (
    {%- for member, relation in staged %}
    select
        retailer,
        '{{ member.split("__")[-1] }}' as dataset,
        _source_file as source_file,
        _line_number as line_number,
        'staging' as stage,
        _rejection_reason as reason,
        cast(null as {{ dbt.type_string() }}) as raw_text
    from {{ relation }}
    where _rejection_reason is not null
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select * from unparseable
union all
select * from invalid
