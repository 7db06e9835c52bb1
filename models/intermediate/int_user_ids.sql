{#-
    Every user id a delivered CRM row names, normalised as the vendor does
    (spec 003 "Users") by the rules every id goes through (normalized_user_id
    and the types of user_id_types()): ids of the default id types trimmed
    and lower-cased; e-mails are hashed to sha256 at landing (a source
    keeping personal data, pii: keep, hashes them here when it sets
    hash_email). A row names its own id (user_id, user_id_type) and, in
    formats that deliver a second id of the same user, that one too
    (linked_user_id: an E-goi contact's e-mail hash next to its contact id;
    spec: "If the contact information contains an email, it will be
    transformed into sha256 representation and merged into any existing
    profiles"). Both rows of one delivered row share its user_record_key and
    carry its attributes, so the attributes reach the user under each of its
    ids.
-#}
with users as (

    select * from {{ ref('int_users__unioned') }}
    where _rejection_reason is null

),

delivered_ids as (

    select
        retailer,
        attributes,
        hash_email,
        false as is_linked_id,
        user_id as delivered_id,
        user_id_type as delivered_id_type,
        _source_file,
        _file_date,
        _line_number,
        _load_id
    from users

    union all

    select
        retailer,
        attributes,
        hash_email,
        true as is_linked_id,
        linked_user_id as delivered_id,
        linked_user_id_type as delivered_id_type,
        _source_file,
        _file_date,
        _line_number,
        _load_id
    from users
    where linked_user_id is not null

),

identified as (

    select
        retailer,
        attributes,
        is_linked_id,
        _source_file,
        _file_date,
        _line_number,
        _load_id,
        {{ normalized_user_id_type('delivered_id_type', 'delivered_id', 'hash_email') }} as user_id_type,
        {{ normalized_user_id('delivered_id', 'delivered_id_type', 'hash_email') }} as user_id
    from delivered_ids

)

select
    {{ dbt.hash(dbt.concat([
        "cast(_load_id as " ~ dbt.type_string() ~ ")", "'|'", "cast(_line_number as " ~ dbt.type_string() ~ ")"
    ])) }} as user_record_key,
    {{ dbt.hash(dbt.concat(["retailer", "'|'", "user_id_type", "'|'", "user_id"])) }} as user_key,
    retailer,
    user_id_type,
    user_id,
    is_linked_id,
    attributes,
    _file_date as file_date,
    _source_file,
    _line_number,
    _load_id
from identified
