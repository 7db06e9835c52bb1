{% macro complete_url(expression, default_protocol=none) %}
{#-
    A complete URL, or null. Vendor rule (spec 002): a URL must be complete; one
    without its protocol (`domain.tld/path`) takes the source's default
    protocol when one is set, and a bare path (`/path`) is never accepted.
-#}
    case
        when {{ regex_full_match(expression, '[A-Za-z][A-Za-z0-9+.-]*://[^/\\s?#]+([/?#]\\S*)?') }} then {{ expression }}
        {%- if default_protocol %}
        when {{ regex_full_match(expression, '[^/\\s:?#]+\\.[^/\\s:?#]+(:[0-9]+)?([/?#]\\S*)?') }}
            then {{ dbt.concat(["'" ~ default_protocol ~ "://'", expression]) }}
        {%- endif %}
    end
{%- endmacro %}
