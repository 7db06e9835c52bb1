{% macro text_literal(value) %}
{#- A string literal holding `value` exactly, whatever it contains (header names are data, not SQL). -#}
    {{ return(adapter.dispatch('text_literal', 'retail_imports')(value)) }}
{% endmacro %}

{% macro default__text_literal(value) %}{{ return("'" ~ value | replace("'", "''") ~ "'") }}{% endmacro %}

{% macro bigquery__text_literal(value) %}
    {{ return("'" ~ value | replace("\\", "\\\\") | replace("'", "\\'") | replace("\n", "\\n") | replace("\r", "\\r") ~ "'") }}
{% endmacro %}
