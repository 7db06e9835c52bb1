{% macro normalized_user_id_type(type_expression) %}
{#- The user id type, lower-cased; a type whose ids are hashed (email) becomes the hash's type (email_sha256). -#}
    {%- set hashed = [] -%}
    {%- for name, declared in user_id_types().items() if declared.get('hash_to') -%}
        {%- do hashed.append('when ' ~ text_literal(name) ~ ' then ' ~ text_literal(declared.hash_to)) -%}
    {%- endfor -%}
    {%- if hashed -%}
        case lower(trim({{ type_expression }})) {{ hashed | join(' ') }} else lower(trim({{ type_expression }})) end
    {%- else -%}
        lower(trim({{ type_expression }}))
    {%- endif -%}
{% endmacro %}
