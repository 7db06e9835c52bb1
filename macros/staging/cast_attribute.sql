{% macro cast_attribute(expression, type) %}
{#-
    A text attribute cast the way the CRM vendor's castTo transformation does
    (spec 003, "Casting Field Value Types"): integer truncates ("2.4" -> 2),
    float, bool ("false" / "true", or a number: 0 is false, others true),
    string. Text that does not cast ("car" to integer) gives null.
-#}
    {%- set number = try_cast(expression, type_double()) -%}
    {%- if type == 'integer' -%}
        {#- whole numbers exactly (no detour through a double), others truncated -#}
        case
            when {{ regex_full_match(expression, '[+-]?[0-9]+') }} then {{ try_cast(expression, dbt.type_bigint()) }}
            else {{ try_cast("trunc(" ~ number ~ ")", dbt.type_bigint()) }}
        end
    {%- elif type == 'float' -%}
        {{ number }}
    {%- elif type == 'bool' -%}
        case when lower({{ expression }}) in ('true', 'false') then lower({{ expression }}) = 'true' else {{ number }} <> 0 end
    {%- elif type == 'string' -%}
        {{ expression }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("casts: unknown type '" ~ type ~ "' (use string, integer, float or bool)") }}
    {%- endif -%}
{% endmacro %}
