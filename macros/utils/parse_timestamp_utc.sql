{% macro parse_timestamp_utc(expression) %}
{#- ISO-8601 text (offsets like +01:00, +0100 or Z) to a UTC timestamp; null when it does not parse. -#}
    {{ return(adapter.dispatch('parse_timestamp_utc', 'retail_imports')(expression)) }}
{% endmacro %}

{% macro default__parse_timestamp_utc(expression) %}
    cast(timezone('UTC', try_cast({{ expression }} as timestamptz)) as timestamp)
{%- endmacro %}

{% macro bigquery__parse_timestamp_utc(expression) %}
    coalesce(
        safe_cast({{ expression }} as timestamp),
        safe.parse_timestamp('%Y-%m-%dT%H:%M:%E*S%z', {{ expression }})
    )
{%- endmacro %}
