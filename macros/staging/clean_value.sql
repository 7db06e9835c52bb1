{% macro clean_value(column_name, column) %}
{#-
    A raw column as the text to cast: trimmed, empty meaning missing, read at
    the column's `path` (a field of a JSON record) or `param` (an entry of a
    GA4 key / value list, param_value) when it has one, and with
    the column's `extract` option (a regex whose first group is the value, e.g.
    the number in `352 AED`) applied. When `extract` finds nothing, a string
    column is missing but a typed column keeps the text, so the failed cast is
    flagged rather than the value silently dropped.
-#}
    {%- set text = raw_text(column_name) -%}
    {#- nested exports (GA4): a field of a JSON record, or an entry of a key / value list -#}
    {%- if column.get('path') and column_name is not none -%}
        {%- set text = "nullif(trim(" ~ json_path_text(text, column.path) ~ "), '')" -%}
    {%- elif column.get('param') and column_name is not none -%}
        {%- set text = "nullif(trim(" ~ param_value(text, column.param) ~ "), '')" -%}
    {%- endif -%}
    {%- if column.get('extract') and column_name is not none -%}
        {%- if column.type == 'string' -%}
            {{ regex_extract(text, column.extract) }}
        {%- else -%}
            coalesce({{ regex_extract(text, column.extract) }}, {{ text }})
        {%- endif -%}
    {%- else -%}
        {{ text }}
    {%- endif -%}
{% endmacro %}
