{% macro timestamp_from_epoch(expression, unit) %}
{#-
    A UTC timestamp from a whole number of `unit` (microseconds) since 1970,
    given as text; null when it is not a whole number. A column's `epoch`
    option (GA4's event_timestamp).
-#}
    {%- if unit != 'microseconds' -%}
        {{ exceptions.raise_compiler_error("Unknown epoch unit '" ~ unit ~ "' (known: microseconds)") }}
    {%- endif -%}
    {{ return(adapter.dispatch('timestamp_from_epoch', 'retail_imports')(expression)) }}
{% endmacro %}

{% macro default__timestamp_from_epoch(expression) -%}
    case when {{ regex_full_match(expression, '[0-9]{1,18}') }} then make_timestamp(cast({{ expression }} as bigint)) end
{%- endmacro %}

{% macro bigquery__timestamp_from_epoch(expression) -%}
    case when {{ regex_full_match(expression, '[0-9]{1,18}') }} then timestamp_micros(cast({{ expression }} as int64)) end
{%- endmacro %}
