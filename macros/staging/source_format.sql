{% macro source_format(source_name, table_name) %}
{#- The format a source declares in its meta.loader block (the source contract). -#}
    {%- for node in graph.sources.values() if node.source_name == source_name and node.name == table_name -%}
        {%- set loader = node.config.get('meta', {}).get('loader') or node.meta.get('loader') -%}
        {%- if not loader or not loader.get('format') -%}
            {{ exceptions.raise_compiler_error("Source " ~ source_name ~ "." ~ table_name ~ " has no meta.loader.format") }}
        {%- endif -%}
        {{ return(loader['format']) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("No source " ~ source_name ~ "." ~ table_name ~ " is declared") }}
{% endmacro %}
