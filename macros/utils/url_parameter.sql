{% macro url_parameter(url, name) %}
{#-
    The value of query parameter `name` in `url` (e.g. utm_campaign of a
    landing URL), decoded, or null when absent or empty.
-#}
    {{ return(adapter.dispatch('url_parameter', 'retail_imports')(url, name)) }}
{% endmacro %}

{% macro default__url_parameter(url, name) -%}
    {%- set raw = "replace(" ~ regexp_capture(url, '[?&]' ~ name ~ '=([^&#]*)') ~ ", '+', ' ')" -%}
    {#- a value whose %-escapes are not UTF-8 is kept as delivered rather than failing the model -#}
    nullif(coalesce(try(url_decode({{ raw }})), {{ raw }}), '')
{%- endmacro %}

{% macro bigquery__url_parameter(url, name) -%}
    {#- BigQuery has no URL decoding function: values keep their %-escapes. -#}
    {{ regexp_capture(url, '[?&]' ~ name ~ '=([^&#]*)') }}
{%- endmacro %}
