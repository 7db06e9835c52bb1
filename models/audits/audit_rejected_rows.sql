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
        raw_text,
        'parse' as rejected_by,
        coalesce(error_type, 'parse error') || ': ' || coalesce(reason, '') as reason,
        load_id
    from {{ source('loader', 'rejects') }}

),

invalid as (

    {{ rejected_in_staging() }}

)

select * from unparseable
union all
select * from invalid
