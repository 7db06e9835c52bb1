{% macro is_email(expression) %}
{#- Vendor rule (spec 003): "The email field is validated as an email" (the email type's pattern of user_id_types). -#}
    {{ return(regex_full_match('lower(trim(' ~ expression ~ '))', user_id_types()['email']['pattern'])) }}
{% endmacro %}
