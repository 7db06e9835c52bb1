{% macro url_host(url) %}
{#- The lower-cased host of an absolute URL (without port), or null. -#}
    lower({{ regexp_capture(url, '^[A-Za-z][A-Za-z0-9+.-]*://([^/?#:]+)') }})
{% endmacro %}
