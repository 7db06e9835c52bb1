{% macro mask_emails(expression) %}
{#-
    The text with every e-mail address replaced by <e-mail>: the raw text of a
    rejected record may hold one, and reports past the raw layer carry no
    plaintext e-mail (only loader.rejects, like the raw tables, keeps it).
-#}
    {{ return(adapter.dispatch('mask_emails', 'retail_imports')(expression)) }}
{% endmacro %}

{% macro default__mask_emails(expression) -%}
    regexp_replace({{ expression }}, '[^\s,;"<>@]+@[^\s,;"<>@]+\.[A-Za-z]{2,}', '<e-mail>', 'g')
{%- endmacro %}

{% macro bigquery__mask_emails(expression) -%}
    regexp_replace({{ expression }}, r'[^\s,;"<>@]+@[^\s,;"<>@]+\.[A-Za-z]{2,}', '<e-mail>')
{%- endmacro %}
