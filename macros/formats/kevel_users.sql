{% macro kevel_users() %}
{#-
    CRM users import (vendor spec 003, "Users"): CSV with a header, or JSON
    lines. One field holds the user id (`userId` unless the source maps
    another: meta.loader.columns.user_id.source) and the source says its id
    type (meta.loader.defaults.user_id_type, e.g. email). Every other field is
    a user attribute: text from CSV unless cast (meta.loader.casts), typed
    from JSON lines. Ids of the default id types are trimmed and lower-cased
    (user_id_types()); e-mail ids are hashed to sha256 at landing (or, for
    a source that keeps personal data, in staging when it sets
    defaults.hash_email: true). Personal attributes (a phone, a name) are
    declared per source: meta.loader.pii: {field: kind}. Read by the loader
    too: plain YAML only.
-#}
{% set spec %}
name: kevel_users
entity: users
vendor: Kevel Audience users (CRM) import
file:
  layouts: [delimited, json_lines]
  delimiters: [",", "\t", ";", "|"]
  header: true
  quote: '"'
  encoding: utf-8
# Spec 003: "The fields have the correct keys (case sensitive)"; the
# accepted values are listed exactly too.
case_sensitive: true
other_columns: attributes
columns:
  - {source: userId, name: user_id, type: string, required: true, pii: email, id_type: per_source, description: "The user id as landed: an id that is an e-mail address is hashed at landing (SHA-256 of the trimmed, lower-cased e-mail); others as delivered, before trimming or lower-casing."}
  - {source: null, name: user_id_type, type: string, required: true, description: "Id type of user_id (email, email_sha256, a custom type...): a setting of the source."}
  - {source: null, name: hash_email, type: boolean, default: false, description: "Whether e-mail ids are hashed to sha256 (email_sha256) in staging: a setting of the source, for a source that keeps personal data (pii: keep); ids hashed at landing are email_sha256 whatever it says."}
{% endset %}
{{ return(fromyaml(spec)) }}
{% endmacro %}
