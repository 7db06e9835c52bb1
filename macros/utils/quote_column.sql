{% macro quote_column(name) %}
{#- A column name quoted so that any header text (quotes, spaces, SQL) stays one identifier. -#}
    {{ return(adapter.dispatch('quote_column', 'retail_imports')(name)) }}
{% endmacro %}

{% macro default__quote_column(name) %}{{ return('"' ~ name | replace('"', '""') ~ '"') }}{% endmacro %}

{% macro bigquery__quote_column(name) %}{{ return('`' ~ name | replace('\\', '\\\\') | replace('`', '\\`') ~ '`') }}{% endmacro %}
