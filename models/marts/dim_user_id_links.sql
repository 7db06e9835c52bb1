{#-
    Which ids belong to the same user: one row per user id and each other id
    that the user's newest delivered row names with it. An E-goi contact
    (vendor spec 003, "E-goi Contacts Source") is delivered with its contact
    id (egoi_contact_id) and, when it has an e-mail, the e-mail's hash
    (email_sha256): the link lets the E-goi contact id be found for a user
    known by e-mail ("allows you to use the E-goi Destination, which will
    use that ID to attach tags to activated users"), and the other way round.
    A contact whose newest row has no e-mail, or another one, is linked to
    that only.
-#}
with user_ids as (

    select * from {{ ref('int_user_ids') }}

),

own_rows as (

    select
        user_record_key,
        user_key,
        retailer,
        user_id_type,
        user_id,
        file_date,
        _source_file,
        _line_number,
        _load_id,
        row_number() over (
            partition by user_key
            order by file_date desc nulls last, _load_id desc, _line_number desc
        ) as row_rank
    from user_ids
    where not is_linked_id

),

linked_ids as (

    select * from user_ids
    where is_linked_id

)

select
    own_rows.user_key,
    own_rows.retailer,
    own_rows.user_id_type,
    own_rows.user_id,
    linked_ids.user_key as linked_user_key,
    linked_ids.user_id_type as linked_user_id_type,
    linked_ids.user_id as linked_user_id,
    own_rows.file_date,
    own_rows._source_file,
    own_rows._line_number,
    own_rows._load_id
from own_rows
inner join linked_ids
    on own_rows.user_record_key = linked_ids.user_record_key
where own_rows.row_rank = 1
