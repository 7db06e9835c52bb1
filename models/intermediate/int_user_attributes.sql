{#-
    The attribute history of CRM users: one row per user id x attribute x
    delivered row (int_user_ids: a row naming two ids of one user gives its
    attributes to both). Null values are not attribute updates (an empty CSV
    cell leaves the attribute as it was).
-#}
with user_ids as (

    select * from {{ ref('int_user_ids') }}

)

select
    user_ids.user_key,
    user_ids.retailer,
    user_ids.user_id_type,
    user_ids.user_id,
    entry.key as attribute_name,
    case entry.type
        when 'VARCHAR' then 'string'
        when 'BIGINT' then 'integer'
        when 'UBIGINT' then 'integer'
        when 'DOUBLE' then 'float'
        when 'BOOLEAN' then 'bool'
        else 'json'
    end as value_type,
    case
        when entry.type = 'VARCHAR' then {{ json_string_value('entry.value') }}
        else cast(entry.value as {{ dbt.type_string() }})
    end as attribute_value,
    cast(entry.value as {{ dbt.type_string() }}) as attribute_json,
    user_ids.file_date,
    user_ids._source_file,
    user_ids._line_number,
    user_ids._load_id
from user_ids
cross join {{ json_entries('user_ids.attributes', 'entry') }}
where entry.type <> 'NULL'
