{% macro egoi_contacts() %}
{#-
    The contacts of an E-goi list, fetched by the `egoi_contacts` source kind
    (loaders/api/egoi.py; vendor spec 003, "Users", "E-goi Contacts Source")
    and landed as JSON lines, one line per contact, already mapped by the
    spec's "E-goi Attribute Mapping" table:
    - contact_id, the user id of the internal E-goi id type (egoi_contact_id);
    - email_sha256, the contact's e-mail trimmed, lower-cased and hashed by
      the loader before anything is written (no plaintext e-mail exists on
      disk or in the warehouse, so no column is marked `pii:`: hashing it
      again at landing would break the id), a second id of the same user;
    - egoi.account<ACCOUNT-ID>.list<LIST-ID>.status, .consent, .emailStatus,
      .cellphoneStatus, .phoneStatus: the user attributes (other_columns).
    No other contact field is fetched into a file. The spec forbids
    transformations for this source (no_transformations). Read by the
    loader too: plain YAML only.
-#}
{% set spec %}
name: egoi_contacts
entity: users
vendor: E-goi Contacts source (Kevel Audience users import)
no_transformations: "Notice that the user import from this type of Source does not allow you to specify any transformations."
file:
  layouts: [json_lines]
  encoding: utf-8
other_columns: attributes
columns:
  - {source: contact_id, name: user_id, type: string, required: true, description: "The E-goi contact id (contact_id), a user id of the internal E-goi id type."}
  - {source: null, name: user_id_type, type: string, required: true, default: egoi_contact_id, description: "Id type of user_id: egoi_contact_id, the internal E-goi User ID Type of the spec."}
  - {source: email_sha256, name: linked_user_id, type: string, description: "A second id of the same user: the contact's e-mail trimmed, lower-cased and hashed to SHA-256 by the loader; null when the contact has no e-mail."}
  - {source: null, name: linked_user_id_type, type: string, default: email_sha256, description: "Id type of linked_user_id: email_sha256."}
{% endset %}
{{ return(fromyaml(spec)) }}
{% endmacro %}
