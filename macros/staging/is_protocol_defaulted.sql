{% macro is_protocol_defaulted(expression, default_protocol) %}
{#- Whether complete_url gave this URL the source's default protocol (vendor spec 002 counts these). -#}
    coalesce(not {{ regex_full_match(expression, '[A-Za-z][A-Za-z0-9+.-]*://.*') }}
        and {{ complete_url(expression, default_protocol) }} is not null, false)
{%- endmacro %}
