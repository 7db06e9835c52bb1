{% macro source_options(source_name, table_name) %}
{#- The meta.loader block of a source (format, location and per-source options such as timezone). -#}
    {%- for node in graph.sources.values() if node.source_name == source_name and node.name == table_name -%}
        {{ return(node.config.get('meta', {}).get('loader') or node.meta.get('loader') or {}) }}
    {%- endfor -%}
    {{ return({}) }}
{% endmacro %}
