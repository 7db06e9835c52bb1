{% macro normalized_user_id(id_expression, type_expression) %}
{#-
    Vendor rule (spec 003): a user id as its type wants it: trimmed; lower-
    cased for the types declared lowercase; e-mails (hash_to) trimmed,
    lower-cased and hashed, so no plain e-mail leaves staging.
-#}
    {%- set cases = [] -%}
    {%- for name, declared in user_id_types().items() -%}
        {%- if declared.get('hash_to') -%}
            {%- do cases.append('when ' ~ text_literal(name) ~ ' then ' ~ email_sha256(id_expression)) -%}
        {%- elif declared.get('lowercase') -%}
            {%- do cases.append('when ' ~ text_literal(name) ~ ' then lower(trim(' ~ id_expression ~ '))') -%}
        {%- endif -%}
    {%- endfor -%}
    case lower(trim({{ type_expression }})) {{ cases | join(' ') }} else trim({{ id_expression }}) end
{% endmacro %}
