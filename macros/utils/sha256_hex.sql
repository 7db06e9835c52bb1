{% macro sha256_hex(expression) %}
{#- Lower-case hex SHA-256 of a text. -#}
    {{ return(adapter.dispatch('sha256_hex', 'retail_imports')(expression)) }}
{% endmacro %}

{% macro default__sha256_hex(expression) %}sha256({{ expression }}){% endmacro %}

{% macro bigquery__sha256_hex(expression) %}to_hex(sha256({{ expression }})){% endmacro %}
