{#-
    The attribute history of CRM users: one row per user x attribute x
    delivered row, with the user id normalised as the vendor does (spec 003
    "Users"): ids of the default id types trimmed and lower-cased; e-mails
    are hashed to sha256 at landing (a source keeping personal data, pii:
    keep, hashes them here when it sets hash_email). Null values are not
    attribute updates (an empty CSV cell leaves the attribute as it was).
-#}
with users as (

    select * from {{ ref('int_users__unioned') }}
    where _rejection_reason is null

),

id_types as (

    select * from {{ ref('user_id_types') }}

),

normalised as (

    select
        users.retailer,
        users.attributes,
        users._source_file,
        users._file_date,
        users._line_number,
        users._load_id,
        lower(trim(users.user_id_type)) as delivered_id_type,
        coalesce(id_types.is_default, false) as is_default_id_type,
        coalesce(
            id_types.is_email and (users.hash_email or {{ is_hashed_email('users.user_id') }}), false
        ) as is_hashed,
        case
            when id_types.is_default then lower(trim(users.user_id))
            else users.user_id
        end as clean_user_id
    from users
    left join id_types
        on lower(trim(users.user_id_type)) = id_types.id_type

),

identified as (

    select
        retailer,
        attributes,
        _source_file,
        _file_date,
        _line_number,
        _load_id,
        case when is_hashed then 'email_sha256' else delivered_id_type end as user_id_type,
        case when is_hashed then {{ email_sha256('clean_user_id') }} else clean_user_id end as user_id
    from normalised

)

select
    {{ dbt.hash(dbt.concat([
        "identified.retailer", "'|'", "identified.user_id_type", "'|'", "identified.user_id"
    ])) }} as user_key,
    identified.retailer,
    identified.user_id_type,
    identified.user_id,
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
    identified._file_date as file_date,
    identified._source_file,
    identified._line_number,
    identified._load_id
from identified
cross join {{ json_entries('identified.attributes', 'entry') }}
where entry.type <> 'NULL'
