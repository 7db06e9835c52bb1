{% macro union_staging(entity) %}
{#-
    Union all retailers' staging models of one entity (page_views, orders...).
    Members come from var('staging_models')[entity] because dbt resolves
    ref() while parsing; at run time every staging model built on a format of
    this entity must be listed, or this fails naming the one that is not.
    Columns are matched by name (union_relations); a member lacking one gives
    a typed null, and so does a column the entity declares (entity_columns)
    that no member has.
-#}
    {%- set members = var('staging_models', {}).get(entity, []) -%}
    {%- if members | length == 0 -%}
        {{ exceptions.raise_compiler_error("vars.staging_models." ~ entity ~ " in dbt_project.yml lists no staging model") }}
    {%- endif -%}
    {%- set relations = [] -%}
    {%- for member in members -%}
        {%- do relations.append(ref(member)) -%}
    {%- endfor -%}
    {%- if not execute -%}
        {{ return("select 1 as placeholder") }}
    {%- endif -%}
    {%- do check_union_members(entity, members) -%}

    {#- An entity that declares its columns (macros/entities/) has all of them, whatever formats its members use:
        a member lacking one gets a null of the declared type, and one no member has is added after the others. -#}
    {%- set declared = {} -%}
    {%- for column in entity_columns(entity) -%}
        {%- do declared.update({column.name | lower: sql_type(column.type)}) -%}
    {%- endfor -%}
    {%- set present = [] -%}
    {%- for relation in relations -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- do present.append(column.name | lower) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set absent = [] -%}
    {%- for name in declared if name not in present -%}
        {%- do absent.append(name) -%}
    {%- endfor -%}
    {%- set unioned = union_relations(relations, column_override=declared, source_column_name=none) -%}
    {%- if not absent -%}
        {{ return(unioned) }}
    {%- endif %}
    select
        *,
        {%- for name in absent %}
        cast(null as {{ declared[name] }}) as {{ adapter.quote(name) }}{{ "," if not loop.last }}
        {%- endfor %}
    from ({{ unioned }}) as unioned
{%- endmacro %}
