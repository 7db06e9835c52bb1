{% macro user_id_matches_type(id_expression, type_expression, id_label, type_label) %}
{#-
    Vendor rule (spec 003): "The userId field is validated accordingly to the
    type specified in userIdType". The reason a row breaks it, or null.
    Missing values are left to the required checks.
-#}
    {%- set types = user_id_types() -%}
    {%- set checks = [] -%}
    {%- for name, declared in types.items() if declared.get('pattern') -%}
        {%- set value = 'lower(trim(' ~ id_expression ~ '))' if declared.get('lowercase') else 'trim(' ~ id_expression ~ ')' -%}
        {%- do checks.append(
            'when lower(trim(' ~ type_expression ~ ')) = ' ~ text_literal(name) ~ ' and not ' ~ regex_full_match(value, declared.pattern)
            ~ ' then ' ~ text_literal(id_label ~ ': not a valid ' ~ name)) -%}
    {%- endfor -%}
    case
        when {{ id_expression }} is null or {{ type_expression }} is null then null
        when lower(trim({{ type_expression }})) not in ({% for name in types %}{{ text_literal(name) }}{{ ', ' if not loop.last }}{% endfor %})
            then {{ dbt.concat([text_literal(type_label ~ ': unknown type '), type_expression, text_literal(' (known: ' ~ types.keys() | list | join(', ') ~ ')')]) }}
        {{ checks | join('\n        ') }}
    end
{%- endmacro %}
