{% macro value_format(name) %}
{#-
    The text pattern of a declared value format (a column's `format:` option),
    for the dates and timestamps vendors require in exactly one form.
-#}
    {%- set patterns = {
        'YYYY-MM-DD': '[0-9]{4}-[0-9]{2}-[0-9]{2}',
        'YYYY-MM-DD HH:MM:SS': '[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}',
        'YYYYMMDD': '[0-9]{8}',
    } -%}
    {%- if name not in patterns -%}
        {{ exceptions.raise_compiler_error("Unknown value format '" ~ name ~ "' (known: " ~ patterns.keys() | join(', ') ~ ")") }}
    {%- endif -%}
    {{ return(patterns[name]) }}
{% endmacro %}
