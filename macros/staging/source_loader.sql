{% macro source_loader(source_name, table_name) %}
{#- The meta.loader block of a source (the source contract): format, location and options. -#}
    {%- for node in graph.sources.values() if node.source_name == source_name and node.name == table_name -%}
        {%- set loader = node.config.get('meta', {}).get('loader') or node.meta.get('loader') -%}
        {%- if not loader or not loader.get('format') -%}
            {{ exceptions.raise_compiler_error("Source " ~ source_name ~ "." ~ table_name ~ " has no meta.loader.format") }}
        {%- endif -%}
        {{ return(loader) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("No source " ~ source_name ~ "." ~ table_name ~ " is declared") }}
{% endmacro %}
