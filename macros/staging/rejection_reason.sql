{% macro rejection_reason(columns, one_of_required=[]) %}
{#-
    Why a staged row cannot be used, or null: a required value missing, a
    value that does not cast to its type, a value outside its accepted list.
    Reads the <name>__raw columns of the `cleaned` CTE of stage_source.
-#}
    {%- set reasons = [] -%}
    {%- for column in columns -%}
        {%- set raw = adapter.quote(column.name ~ '__raw') -%}
        {%- if column.get('required') -%}
            {%- do reasons.append("case when " ~ raw ~ " is null then '" ~ column.source ~ ": required value missing' end") -%}
        {%- endif -%}
        {%- if column.type != 'string' -%}
            {%- do reasons.append("case when " ~ raw ~ " is not null and " ~ cast_value(raw, {'type': column.type, 'name': column.name}) ~ " is null then '" ~ column.source ~ ": not a valid " ~ column.type ~ "' end") -%}
        {%- endif -%}
        {%- if column.get('accepted') -%}
            {%- do reasons.append("case when " ~ raw ~ " is not null and lower(" ~ raw ~ ") not in ('" ~ column.accepted | join("', '") ~ "') then '" ~ column.source ~ ": not one of " ~ column.accepted | join(', ') ~ "' end") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for group in one_of_required -%}
        {%- set checks = [] -%}
        {%- for name in group -%}
            {%- do checks.append(adapter.quote(name ~ '__raw') ~ " is null") -%}
        {%- endfor -%}
        {%- do reasons.append("case when " ~ checks | join(' and ') ~ " then '" ~ group | join(' or ') ~ ": one is required' end") -%}
    {%- endfor -%}
    {{ join_reasons(reasons) }}
{% endmacro %}
