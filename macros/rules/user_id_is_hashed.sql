{% macro user_id_is_hashed(id_expression, hash_emails='true') %}
{#-
    Whether normalized_user_id hashes an id of a hash_to type (email): when
    hash_emails (a SQL boolean) holds, or when the id already is a hash
    (is_hashed_email), so hashing happens once. Call it only for ids of a
    hash_to type: it does not check the type.
-#}
    {%- if hash_emails | string | lower == 'true' -%}
        {{ return('true') }}
    {%- endif -%}
    {%- if id_expression is none -%}
        {{ exceptions.raise_compiler_error("user_id_is_hashed: an id expression is needed when hash_emails is " ~ hash_emails) }}
    {%- endif -%}
    {{ return('(coalesce(' ~ hash_emails ~ ', false) or ' ~ is_hashed_email(id_expression) ~ ')') }}
{%- endmacro %}
