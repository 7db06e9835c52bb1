{% macro state_hash(columns) %}
{#-
    One hash of the text of columns, nulls told apart from empty text, so
    two states compare with one equality.
-#}
    {%- set parts = [] -%}
    {%- for name in columns -%}
        {%- do parts.append("coalesce(" ~ dbt.safe_cast(name, dbt.type_string()) ~ ", '<null>')") -%}
        {%- if not loop.last %}{% do parts.append("'|'") %}{% endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}
