{% macro source_format(source_name, table_name) %}
{#- The format a source declares in its meta.loader block (the source contract). -#}
    {{ return(source_loader(source_name, table_name)['format']) }}
{% endmacro %}
