{% macro normalized_user_id(id_expression, type_expression, hash_emails='true') %}
{#-
    Vendor rule (spec 003): a user id as its type (user_id_types) wants it:
    trimmed; lower-cased for the lowercase (default) types; for a hash_to
    type (email), trimmed, lower-cased and hashed when hash_emails (a SQL
    boolean: always for orders, the source's hash_email for CRM users) or
    when it already is a hash. Types not declared are trimmed only.
-#}
    {%- set hashed = user_id_is_hashed(id_expression, hash_emails) -%}
    {%- set hashing = email_sha256(id_expression) if hashed == 'true'
        else 'case when ' ~ hashed ~ ' then ' ~ email_sha256(id_expression) ~ ' else lower(trim(' ~ id_expression ~ ')) end' -%}
    {%- set cases = [] -%}
    {%- for name, declared in user_id_types().items() -%}
        {%- if declared.get('hash_to') -%}
            {%- do cases.append('when ' ~ text_literal(name) ~ ' then ' ~ hashing) -%}
        {%- elif declared.get('lowercase') -%}
            {%- do cases.append('when ' ~ text_literal(name) ~ ' then lower(trim(' ~ id_expression ~ '))') -%}
        {%- endif -%}
    {%- endfor -%}
    case lower(trim({{ type_expression }})) {{ cases | join(' ') }} else trim({{ id_expression }}) end
{%- endmacro %}
