{% macro user_id_types() %}
{#-
    The user id types: their one home. Every rule that knows an id type
    reads this table: order validation (user_id_matches_type), the ids of
    orders and CRM users (normalized_user_id, normalized_user_id_type,
    int_user_ids), the e-mail checks (is_email, is_hashed_email) and the
    loader's hashing at landing (loaders/pii.py reads this same block).

    Vendor spec 003: "The userId field is validated accordingly to the type
    specified in userIdType"; "We automatically lowercase the following User
    IDs from the default ID Types list"; "if a transformation is required
    for any ID type before being imported (for example hashing plaintext
    emails), we also lowercase and trim the original ID before transforming
    it". The vendor's list of types is on a page we do not have: add the
    types your retailers use.

    Keys of a type (all optional):
      pattern    RE2 the id must match in full (after trimming, and lower-
                 casing when lowercase) for an order to be valid; a type
                 without one accepts any id.
      lowercase  a default type of the vendor: trimmed and lower-cased.
                 Other types are trimmed and otherwise kept as delivered.
      hash_to    the id is trimmed, lower-cased and hashed to SHA-256, and
                 takes this type (plain e-mails never pass staging; a CRM
                 source hashes them when it sets hash_email). An id that
                 already matches hash_to's pattern is kept: hashing is
                 applied once.
      note       what the id is (docs only).
    Plain YAML only: the loader reads it too.
-#}
{% set spec %}
email: {pattern: '[^@\s]+@[^@\s]+\.[^@\s]+', lowercase: true, hash_to: email_sha256, note: "Plain e-mail address."}
email_sha256: {pattern: '[0-9a-f]{64}', lowercase: true, note: "SHA-256 hex digest of the trimmed, lower-cased e-mail address."}
email_md5: {pattern: '[0-9a-f]{32}', lowercase: true, note: "MD5 hex digest of the trimmed, lower-cased e-mail address."}
email_sha1: {pattern: '[0-9a-f]{40}', lowercase: true, note: "SHA-1 hex digest of the trimmed, lower-cased e-mail address."}
phone_sha256: {pattern: '[0-9a-f]{64}', lowercase: true, note: "SHA-256 hex digest of the phone number."}
crm_id: {note: "The retailer's own customer id."}
visitor_id: {note: "The id the retailer's site or app gives a browser or device."}
egoi_contact_id: {note: "E-goi contact id (the internal E-goi User ID Type of spec 003): the contact_id of an E-goi list's contact."}
{% endset %}
{{ return(fromyaml(spec)) }}
{% endmacro %}
