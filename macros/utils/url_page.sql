{% macro url_page(url) %}
{#- The page a URL names, to compare URLs: lower-cased, without query string, fragment or trailing slash. -#}
    regexp_replace(regexp_replace(lower({{ url }}), '[?#].*$', ''), '/+$', '')
{% endmacro %}
