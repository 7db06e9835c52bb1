{% macro parse_timestamp_utc(expression, formats=none, timezone=none) %}
{#-
    Text to a UTC timestamp; null when it does not parse.
    formats: strptime patterns tried first, in order (e.g. '%Y-%m-%d %H:%M:%S %z'
    for Shopify's `2025-05-11 09:55:16 -0400`, which ISO parsing refuses);
    ISO-8601 (offsets like +01:00, +0100 or Z) is always tried last.
    timezone: the IANA zone of values that carry no offset (default UTC).
-#}
    {{ return(adapter.dispatch('parse_timestamp_utc', 'retail_imports')(expression, formats or [], timezone)) }}
{% endmacro %}

{% macro default__parse_timestamp_utc(expression, formats, timezone) %}
    {%- set attempts = [] -%}
    {%- for pattern in formats -%}
        {%- if '%z' in pattern or '%Z' in pattern -%}
            {%- do attempts.append("cast(timezone('UTC', try_strptime(" ~ expression ~ ", " ~ text_literal(pattern) ~ ")) as timestamp)") -%}
        {%- else -%}
            {%- do attempts.append("cast(timezone('UTC', timezone(" ~ text_literal(timezone or 'UTC') ~ ", try_strptime(" ~ expression ~ ", " ~ text_literal(pattern) ~ "))) as timestamp)") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if timezone -%}
        {%- do attempts.append(
            "case when regexp_matches(" ~ expression ~ ", '\\d:\\d{2}(:\\d{2}(\\.\\d+)?)?\\s*(Z|[+-]\\d{2}(:?\\d{2})?)$') "
            ~ "then cast(timezone('UTC', try_cast(" ~ expression ~ " as timestamptz)) as timestamp) "
            ~ "else cast(timezone('UTC', timezone(" ~ text_literal(timezone) ~ ", try_cast(" ~ expression ~ " as timestamp))) as timestamp) end") -%}
    {%- else -%}
        {%- do attempts.append("cast(timezone('UTC', try_cast(" ~ expression ~ " as timestamptz)) as timestamp)") -%}
    {%- endif -%}
    {%- if attempts | length == 1 -%}
        {{ attempts[0] }}
    {%- else -%}
        coalesce({{ attempts | join(', ') }})
    {%- endif -%}
{%- endmacro %}

{% macro bigquery__parse_timestamp_utc(expression, formats, timezone) %}
    {#- safe_cast, not safe.timestamp(x, zone): the same result, and the form the
        BigQuery emulator of the tests translates (README "Running on BigQuery"). -#}
    {%- set zone = text_literal(timezone or 'UTC') -%}
    coalesce(
        {%- for pattern in formats %}
        safe.parse_timestamp({{ text_literal(pattern) }}, {{ expression }}, {{ zone }}),
        {%- endfor %}
        {%- if timezone %}
        case when regexp_contains({{ expression }}, r'\d:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)$')
            then safe_cast({{ expression }} as timestamp)
            else timestamp(safe_cast({{ expression }} as datetime), {{ zone }}) end,
        {%- else %}
        safe_cast({{ expression }} as timestamp),
        {%- endif %}
        {#- offsets without a colon (+0100), which the canonical format refuses -#}
        safe.parse_timestamp('%Y-%m-%dT%H:%M:%S%z', {{ expression }})
    )
{%- endmacro %}
