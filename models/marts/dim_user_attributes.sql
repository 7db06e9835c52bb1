{{
    config(
        materialized='incremental',
        unique_key='user_attribute_key',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

{#-
    The current value of every attribute of every CRM user: the merge strategy
    of the vendor (spec 003): an import updates the attributes it holds and
    leaves the others as they were. Newest delivery wins per attribute (file
    date, then landing order, then line).
-#}
with new_attributes as (

    select * from {{ ref('int_user_attributes') }}
    where {{ new_loads() }}

),

keyed as (

    select
        {{ dbt.hash(dbt.concat(["user_key", "'|'", "attribute_name"])) }} as user_attribute_key,
        user_key,
        retailer,
        user_id_type,
        user_id,
        attribute_name,
        value_type,
        attribute_value,
        attribute_json,
        file_date,
        _source_file,
        _line_number,
        _load_id
    from new_attributes

),

candidates as (
    {{ keep_latest('keyed', 'user_attribute_key') }}
),

ranked as (

    select
        *,
        row_number() over (
            partition by user_attribute_key
            order by file_date desc nulls last, _load_id desc, _line_number desc
        ) as version_rank
    from candidates

)

select
    user_attribute_key,
    user_key,
    retailer,
    user_id_type,
    user_id,
    attribute_name,
    value_type,
    attribute_value,
    attribute_json,
    file_date,
    _source_file,
    _line_number,
    _load_id
from ranked
where version_rank = 1
