{% macro normalized_user_id_type(type_expression, id_expression=none, hash_emails='true') %}
{#-
    The user id type, trimmed and lower-cased; a hash_to type (email) whose
    id normalized_user_id hashes becomes the hash's type (email_sha256).
    Same arguments as normalized_user_id; id_expression is needed only when
    hash_emails is not always true.
-#}
    {%- set condition = user_id_is_hashed(id_expression, hash_emails) -%}
    {%- set hashed = [] -%}
    {%- for name, declared in user_id_types().items() if declared.get('hash_to') -%}
        {%- do hashed.append('when lower(trim(' ~ type_expression ~ ')) = ' ~ text_literal(name)
            ~ ('' if condition == 'true' else ' and ' ~ condition) ~ ' then ' ~ text_literal(declared.hash_to)) -%}
    {%- endfor -%}
    {%- if hashed -%}
        case {{ hashed | join(' ') }} else lower(trim({{ type_expression }})) end
    {%- else -%}
        lower(trim({{ type_expression }}))
    {%- endif -%}
{%- endmacro %}
