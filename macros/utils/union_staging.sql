{% macro union_staging(entity) %}
{#-
    Union all retailers' staging models of one entity (page_views, orders...).
    Members come from var('staging_models')[entity] because dbt resolves
    ref() while parsing; at run time every staging model built on a format of
    this entity must be listed, or this fails naming the one that is not.
    Columns are matched by name; a member lacking one gives a typed null, and
    so does a column the entity declares (entity_columns) that no member has.
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

    {%- set column_types = {} -%}
    {%- set column_order = [] -%}
    {%- set columns_of = {} -%}
    {%- for relation in relations -%}
        {%- set names = [] -%}
        {#- by lower-case name: both warehouses match column names case-insensitively,
            and a header `Title` of one format is the `title` of another -#}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- if column.name | lower not in column_types -%}
                {%- do column_types.update({column.name | lower: column.data_type}) -%}
                {%- do column_order.append(column.name | lower) -%}
            {%- endif -%}
            {%- do names.append(column.name | lower) -%}
        {%- endfor -%}
        {%- do columns_of.update({relation.identifier: names}) -%}
    {%- endfor -%}
    {#- An entity that declares its columns (macros/entities/) has all of them, whatever formats its members use,
        and a member lacking one gets a null of the declared type. -#}
    {%- for column in entity_columns(entity) -%}
        {%- if column.name | lower not in column_types -%}
            {%- do column_order.append(column.name | lower) -%}
        {%- endif -%}
        {%- do column_types.update({column.name | lower: sql_type(column.type)}) -%}
    {%- endfor -%}

    {%- for relation in relations %}
    select
        {%- for name in column_order %}
        {% if name in columns_of[relation.identifier] -%}
            {{ adapter.quote(name) }} as {{ adapter.quote(name) }}
        {%- else -%}
            cast(null as {{ column_types[name] }}) as {{ adapter.quote(name) }}
        {%- endif -%}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ relation }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}
