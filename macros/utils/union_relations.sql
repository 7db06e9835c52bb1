{% macro union_relations(relations, column_override=none, include=[], exclude=[], source_column_name='_dbt_source_relation', where=none) %}
{#-
    Union all of relations whose columns differ: every column of any of them,
    matched by name, and a typed null where a relation lacks one. dbt_utils'
    name and arguments, so the real package can replace it: column_override
    ({column: type}) types a column's nulls; include / exclude keep or drop
    columns by name; source_column_name (none: left out) names a column
    holding each row's relation; where filters every relation. Two choices
    of ours: names match case-insensitively (both warehouses do), and a
    relation's own columns are not cast (dbt_utils casts each to the type of
    the relation that had it first).
-#}
    {%- if include and exclude -%}
        {{ exceptions.raise_compiler_error("union_relations: give include or exclude, not both") }}
    {%- endif -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set override = {} -%}
    {%- for name, type in (column_override or {}).items() -%}
        {%- do override.update({name | lower: type}) -%}
    {%- endfor -%}
    {%- set wanted = include | map('lower') | list -%}
    {%- set unwanted = exclude | map('lower') | list -%}
    {%- set column_types = {} -%}
    {%- set column_order = [] -%}
    {%- set columns_of = {} -%}
    {%- for relation in relations -%}
        {%- set names = [] -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- set name = column.name | lower -%}
            {%- if (not wanted or name in wanted) and name not in unwanted -%}
                {%- if name not in column_types -%}
                    {%- do column_types.update({name: override.get(name, column.data_type)}) -%}
                    {%- do column_order.append(name) -%}
                {%- endif -%}
                {%- do names.append(name) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do columns_of.update({relation | string: names}) -%}
    {%- endfor -%}

    {%- for relation in relations %}
    select
        {%- if source_column_name is not none %}
        cast({{ text_literal(relation | string) }} as {{ dbt.type_string() }}) as {{ adapter.quote(source_column_name) }},
        {%- endif -%}
        {%- for name in column_order %}
        {% if name in columns_of[relation | string] -%}
            {{ adapter.quote(name) }} as {{ adapter.quote(name) }}
        {%- else -%}
            cast(null as {{ column_types[name] }}) as {{ adapter.quote(name) }}
        {%- endif -%}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ relation }}
    {%- if where %}
    where {{ where }}
    {%- endif %}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}
