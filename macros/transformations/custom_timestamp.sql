{% macro custom_timestamp(expression, pattern, timezone=none) %}
{#-
    Text in a custom date-time pattern (Java style, see java_datetime_pattern)
    as ISO-8601 UTC text (spec 003: `yyyy/MM/dd hh:mm` turns 2021/01/21 14:25
    into 2021-01-21T14:25:00Z); null when the text does not match the pattern
    (no fallback to other forms: the source said which one it sends). Values
    without an offset are read in `timezone` (the source's option; UTC if none).
-#}
    {{ return(iso_timestamp_text(adapter.dispatch('custom_timestamp', 'retail_imports')(
        expression, java_datetime_pattern(pattern), timezone or 'UTC'))) }}
{% endmacro %}

{% macro default__custom_timestamp(expression, strptime_pattern, timezone) -%}
    {%- if '%z' in strptime_pattern or '%Z' in strptime_pattern -%}
        cast(timezone('UTC', try_strptime({{ expression }}, {{ text_literal(strptime_pattern) }})) as timestamp)
    {%- else -%}
        cast(timezone('UTC', timezone({{ text_literal(timezone) }}, try_strptime({{ expression }}, {{ text_literal(strptime_pattern) }}))) as timestamp)
    {%- endif -%}
{%- endmacro %}

{% macro bigquery__custom_timestamp(expression, strptime_pattern, timezone) -%}
    safe.parse_timestamp({{ text_literal(strptime_pattern) }}, {{ expression }}, {{ text_literal(timezone) }})
{%- endmacro %}
