-- Whole-table check: runs on full builds (retail-imports run --full-tests), not daily.
{{ config(tags=['whole_table']) }}
-- The merge loses no attribute: every attribute a user ever received (with a
-- non-null value) has its current value in dim_user_attributes.
with history as (

    select distinct
        user_key,
        attribute_name
    from {{ ref('int_user_attributes') }}

)

select
    history.user_key,
    history.attribute_name
from history
left join {{ ref('dim_user_attributes') }} as current_values
    on
        history.user_key = current_values.user_key
        and history.attribute_name = current_values.attribute_name
where current_values.user_key is null
