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
    {#- BigQuery has no URL-decoding function: each run of %-escapes is turned
        into bytes and read as UTF-8; a run that is not UTF-8 is kept as
        delivered, like DuckDB's variant does for the whole value. -#}
    {%- set raw = "replace(" ~ regexp_capture(url, '[?&]' ~ name ~ '=([^&#]*)') ~ ", '+', ' ')" -%}
    nullif((
        select string_agg(
            if(starts_with(part, '%'), coalesce(safe_cast(from_hex(replace(part, '%', '')) as string), part), part),
            '' order by position)
        from unnest(regexp_extract_all({{ raw }}, r'(?:%[0-9A-Fa-f]{2})+|%|[^%]+')) as part with offset as position
    ), '')
{%- endmacro %}
