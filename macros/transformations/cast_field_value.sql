{% macro cast_field_value(expression, type) %}
{#-
    A field's text cast by a transformation (spec 003, "Casting Field Value
    Types"), kept as text so the format's own column types still apply:
    string as is; integer truncated ("2.4" -> 2, 3.8 -> 3); float ("0" ->
    0.0); bool ("true" / "false", or a number: 0 is false, others true).
    Null when the value does not cast ("car", or "false" to a number): the
    caller flags it. The typed value is cast_attribute's (shared with
    meta.loader.casts of user attributes), so both agree on the spec's table.
-#}
    {%- set typed = cast_attribute(expression, type) -%}
    {%- if type == 'string' -%}
        {{ return(typed) }}
    {%- elif type == 'float' -%}
        {#- a whole float keeps its ".0", as the spec's table shows ("0" -> 0.0) -#}
        {{ return("case when " ~ typed ~ " = trunc(" ~ typed ~ ") and abs(" ~ typed ~ ") < 1e15 then cast(cast(" ~ typed ~ " as " ~ dbt.type_bigint() ~ ") as " ~ dbt.type_string() ~ ") || '.0' else cast(" ~ typed ~ " as " ~ dbt.type_string() ~ ") end") }}
    {%- elif type == 'bool' -%}
        {{ return("case when " ~ typed ~ " then 'true' when not " ~ typed ~ " then 'false' end") }}
    {%- else -%}
        {{ return("cast(" ~ typed ~ " as " ~ dbt.type_string() ~ ")") }}
    {%- endif -%}
{% endmacro %}
