{% macro is_hashed_email(expression) %}
{#- An e-mail already hashed (at landing, or by the retailer): the pattern of the type e-mails are hashed to (user_id_types). -#}
    {%- set types = user_id_types() -%}
    {{ return(regex_full_match('lower(trim(' ~ expression ~ '))', types[types['email']['hash_to']]['pattern'])) }}
{% endmacro %}
