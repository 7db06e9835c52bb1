{% macro map_field_values(expression, mappings, json_type=none, json_value=none) %}
{#-
    A field's value through an exhaustive from -> to list (spec 003, "Mapping
    Field Values"): the first `from` equal to the value gives its `to`; a value
    matching none is unaltered. Text and numbers differ: a text `from` ("1")
    matches text only, a number `from` (1) matches numbers only. CSV values
    are all text; JSON lines values keep their JSON type (`json_type`: SQL
    giving the value's type in the record, e.g. VARCHAR or BIGINT; none for CSV).
    With `json_value` (SQL of the value as JSON, keeping its type) the result
    is JSON too: a mapped value is its `to` (a number `to` stays a number), an
    unaltered one keeps its own type, so the number 1 stays the number 1.
-#}
    {%- if not mappings -%}
        {{ return(json_value if json_value is not none else expression) }}
    {%- endif -%}
    {%- set whens = [] -%}
    {%- for mapping in mappings -%}
        {%- if mapping is not mapping or 'from' not in mapping or 'to' not in mapping -%}
            {{ exceptions.raise_compiler_error("value mapping " ~ mapping ~ ": expected {from: ..., to: ...}") }}
        {%- endif -%}
        {%- set source, target = mapping['from'], mapping['to'] -%}
        {%- if source is string -%}
            {%- set condition = expression ~ " = " ~ text_literal(source)
                ~ (" and coalesce(" ~ json_type ~ ", 'VARCHAR') = 'VARCHAR'" if json_type else "") -%}
        {%- elif source is number and source is not sameas true and source is not sameas false -%}
            {%- if json_type -%}
                {%- set condition = json_type ~ " in ('BIGINT', 'UBIGINT', 'DOUBLE', 'HUGEINT') and "
                    ~ try_cast(expression, type_double()) ~ " = " ~ source -%}
            {%- else -%}
                {#- a CSV value is text, never the number -#}
                {%- set condition = "false" -%}
            {%- endif -%}
        {%- else -%}
            {{ exceptions.raise_compiler_error("value mapping from " ~ source ~ ": use text or a number") }}
        {%- endif -%}
        {%- if json_value is none -%}
            {%- set result = text_literal(target | string) if target is not none else "null" -%}
        {%- elif target is number and target is not sameas true and target is not sameas false -%}
            {%- set result = "to_json(" ~ target ~ ")" -%}
        {%- else -%}
            {%- set result = "to_json(" ~ (text_literal(target | string) if target is not none else "null") ~ ")" -%}
        {%- endif -%}
        {%- do whens.append("when " ~ condition ~ " then " ~ result) -%}
    {%- endfor -%}
    {{ return("case " ~ whens | join(" ") ~ " else " ~ (json_value if json_value is not none else expression) ~ " end") }}
{% endmacro %}
