{% macro check_union_members(entity, members) %}
{#-
    Fail when a staging model stages a source of `entity` but is missing from
    the union's list. A staging model built on another one (the page views
    of a GA4 source) names its entity in its meta (meta.entity).
-#}
    {%- set formats = {} -%}
    {%- set missing = [] -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.name.startswith('stg_') -%}
        {%- if node.config.get('meta', {}).get('entity') == entity and node.name not in members -%}
            {%- do missing.append(node.name) -%}
        {%- endif -%}
        {%- for parent in node.depends_on.nodes if parent.startswith('source.') -%}
            {%- set source_node = graph.sources[parent] -%}
            {%- set loader = source_node.config.get('meta', {}).get('loader') or source_node.meta.get('loader') or {} -%}
            {%- if loader.get('format') -%}
                {%- if loader.format not in formats -%}
                    {%- do formats.update({loader.format: format_spec(loader.format)['entity']}) -%}
                {%- endif -%}
                {%- if formats[loader.format] == entity and node.name not in members -%}
                    {%- do missing.append(node.name) -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if missing -%}
        {{ exceptions.raise_compiler_error(
            "Staging model(s) " ~ missing | join(', ') ~ " stage " ~ entity ~ " but are not in vars.staging_models."
            ~ entity ~ " of dbt_project.yml; add them (retail-imports add-retailer does this for you).") }}
    {%- endif -%}
{% endmacro %}
