{% macro user_id_types() %}
{#-
    The user id types an order's userId is validated against (vendor spec
    003: "The userId field is validated accordingly to the type specified in
    userIdType"). pattern: RE2 the id must match in full, after trimming and
    (lowercase: true) lower-casing; hash_to: the id is hashed to SHA-256 and
    takes that type (plain e-mails never pass staging). The vendor's own list
    of types is on a page we do not have: add the types your retailers use.
    Plain YAML only.
-#}
{% set spec %}
email: {pattern: '[^@\s]+@[^@\s]+\.[^@\s]+', lowercase: true, hash_to: email_sha256}
email_sha256: {pattern: '[0-9a-f]{64}', lowercase: true}
email_md5: {pattern: '[0-9a-f]{32}', lowercase: true}
phone_sha256: {pattern: '[0-9a-f]{64}', lowercase: true}
crm_id: {}
visitor_id: {}
egoi_contact_id: {}
{% endset %}
{{ return(fromyaml(spec)) }}
{% endmacro %}
