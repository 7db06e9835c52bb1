{% macro cast_value(expression, column) %}
{#-
    Cast a cleaned raw value to the column's declared type. Text that does not
    cast becomes null, and rejection_reason names it, so no value is lost
    silently. Declared defaults apply to missing values only.
-#}
    {%- set type = column.type -%}
    {%- if type == 'string' -%}
        {%- set value = 'lower(' ~ expression ~ ')' if column.get('accepted') else expression -%}
    {%- elif type == 'integer' -%}
        {%- set value = dbt.safe_cast(expression, dbt.type_bigint()) -%}
    {%- elif type == 'number' -%}
        {%- set value = dbt.safe_cast(expression, dbt.type_numeric()) -%}
    {%- elif type == 'boolean' -%}
        {%- set value = "case lower(" ~ expression ~ ") when 'true' then true when 'false' then false end" -%}
    {%- elif type == 'date' -%}
        {%- set value = dbt.safe_cast(expression, 'date') -%}
    {%- elif type == 'timestamp' -%}
        {%- set value = parse_timestamp_utc(expression) -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error("Column " ~ column.name ~ " has unknown type '" ~ type ~ "'") }}
    {%- endif -%}
    {%- if column.get('default') is not none -%}
        coalesce({{ value }}, {{ "'" ~ column.default ~ "'" if type == 'string' else column.default }})
    {%- else -%}
        {{ value }}
    {%- endif -%}
{% endmacro %}
