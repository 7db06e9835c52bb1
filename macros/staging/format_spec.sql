{% macro format_spec(format_name) %}
{#-
    The declaration of a vendor format (macros/formats/<format_name>.sql),
    with each column's `accepted` given as a vocabulary name (accepted:
    line_item_statuses) replaced by that vocabulary's values
    (macros/rules/<name>.sql, declared once; loaders/formats.py resolves it
    the same way).
-#}
    {%- set declare = context.get(format_name) -%}
    {%- if declare is none -%}
        {{ exceptions.raise_compiler_error("Unknown format '" ~ format_name ~ "': add macros/formats/" ~ format_name ~ ".sql") }}
    {%- endif -%}
    {%- set spec = declare() -%}
    {%- for column in spec['columns'] if column.get('accepted') is string -%}
        {%- set vocabulary = context.get(column.accepted) -%}
        {%- if vocabulary is none -%}
            {{ exceptions.raise_compiler_error("Format '" ~ format_name ~ "', column " ~ column.name ~ ": accepted names '" ~ column.accepted ~ "', but no macro declares it (macros/rules/" ~ column.accepted ~ ".sql)") }}
        {%- endif -%}
        {%- do column.update({'accepted': vocabulary()}) -%}
    {%- endfor -%}
    {{ return(spec) }}
{% endmacro %}
