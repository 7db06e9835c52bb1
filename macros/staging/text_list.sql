{% macro text_list(expressions) %}
{#-
    An ordered list of text values without its null elements (the padding of
    rows shorter than the widest; delivered empty fields are '' and stay).
-#}
    {{ return(adapter.dispatch('text_list', 'retail_imports')(expressions)) }}
{% endmacro %}

{% macro default__text_list(expressions) -%}
    {%- if expressions | length == 0 -%}
        cast([] as {{ dbt.type_string() }}[])
    {%- else -%}
        list_filter([{{ expressions | join(', ') }}], lambda x: x is not null)
    {%- endif -%}
{%- endmacro %}

{% macro bigquery__text_list(expressions) -%}
    {%- if expressions | length == 0 -%}
        cast([] as array<string>)
    {%- else -%}
        array(select x from unnest([{{ expressions | join(', ') }}]) as x with offset as o where x is not null order by o)
    {%- endif -%}
{%- endmacro %}
