{% macro sql_type(type) %}
{#- The warehouse type of a format type (string, number, integer, boolean, date, timestamp, list). -#}
    {%- set types = {
        'string': dbt.type_string(),
        'number': dbt.type_numeric(),
        'integer': dbt.type_bigint(),
        'boolean': dbt.type_boolean(),
        'date': 'date',
        'timestamp': dbt.type_timestamp(),
        'list': list_type(),
    } -%}
    {%- if type not in types -%}
        {{ exceptions.raise_compiler_error("Unknown column type '" ~ type ~ "'") }}
    {%- endif -%}
    {{ return(types[type]) }}
{% endmacro %}
