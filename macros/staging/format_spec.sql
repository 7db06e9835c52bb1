{% macro format_spec(format_name) %}
{#- The declaration of a vendor format (macros/formats/<format_name>.sql). -#}
    {%- set declare = context.get(format_name) -%}
    {%- if declare is none -%}
        {{ exceptions.raise_compiler_error("Unknown format '" ~ format_name ~ "': add macros/formats/" ~ format_name ~ ".sql") }}
    {%- endif -%}
    {{ return(declare()) }}
{% endmacro %}
