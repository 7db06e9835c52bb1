{% macro loader_cadences() %}
{#-
    A select of (retailer, dataset, cadence): every source the loader lands
    (a meta.loader block) whose format dates its files by name, with its
    expected delivery cadence,
    meta.loader.cadence, daily when not set. Cadences are the keys of
    var('delivery_grace_hours'); any other value fails with the source named.
-#}
    {%- set known = var('delivery_grace_hours') -%}
    {%- set rows = [] -%}
    {%- if execute -%}
        {%- for node in graph.sources.values() | sort(attribute='unique_id') -%}
            {%- set loader = node.config.get('meta', {}).get('loader') or node.meta.get('loader') -%}
            {#- only files named with their date can be expected day by day; the others have source freshness -#}
            {%- if loader and loader.get('format') and source_spec(loader).file.get('file_date') -%}
                {%- set cadence = loader.get('cadence') or 'daily' -%}
                {%- if cadence not in known -%}
                    {{ exceptions.raise_compiler_error(
                        "Source " ~ node.source_name ~ "." ~ node.name ~ ": meta.loader.cadence '" ~ cadence
                        ~ "' is not one of " ~ known.keys() | sort | join(', ')) }}
                {%- endif -%}
                {%- do rows.append(
                    "select '" ~ node.source_name ~ "' as retailer, '" ~ node.name ~ "' as dataset, '"
                    ~ cadence ~ "' as cadence, " ~ known[cadence] ~ " as grace_hours") -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if rows -%}
        {{ return(rows | join('\n    union all\n    ')) }}
    {%- else -%}
        {{ return("select cast(null as " ~ dbt.type_string() ~ ") as retailer, cast(null as " ~ dbt.type_string()
                  ~ ") as dataset, cast(null as " ~ dbt.type_string() ~ ") as cadence, 0 as grace_hours where 1 = 0") }}
    {%- endif -%}
{% endmacro %}
