{% macro custom_fields(prefix, raw_columns) %}
{#-
    The raw columns named <prefix><name> (any number, any header text) as one
    JSON object text keyed by <name>; empty values are left out; null when
    the table has no such column or the row sets none.
-#}
    {%- set pairs = [] -%}
    {%- for name in raw_columns if name.startswith(prefix) and name | length > prefix | length -%}
        {%- do pairs.append((name[prefix | length:], raw_text(name))) -%}
    {%- endfor -%}
    {%- if pairs -%}
        {{ json_text_object(pairs) }}
    {%- else -%}
        cast(null as {{ dbt.type_string() }})
    {%- endif -%}
{% endmacro %}
