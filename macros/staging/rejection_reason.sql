{% macro rejection_reason(columns, one_of_required=[]) %}
{#-
    Why a staged row cannot be used, or null: a required value missing, a
    value that does not cast to its type, a value outside its accepted list,
    a value its transform refuses (an e-mail that is not one, a user id that
    does not fit its type). Reads the <name>__raw columns of the `cleaned`
    CTE of stage_source.
-#}
    {%- set reasons = [] -%}
    {%- for column in columns -%}
        {%- set raw = adapter.quote(column.name ~ '__raw') -%}
        {%- if column.get('required') -%}
            {%- do reasons.append("case when " ~ raw ~ " is null then " ~ text_literal(column.source ~ ": required value missing") ~ " end") -%}
        {%- endif -%}
        {%- if column.get('transform') == 'email_sha256' -%}
            {%- do reasons.append("case when " ~ raw ~ " is not null and not " ~ is_email(raw) ~ " then " ~ text_literal(column.source ~ ": not a valid e-mail address") ~ " end") -%}
        {%- elif column.get('transform') == 'user_id' -%}
            {%- do reasons.append(user_id_matches_type(raw, column.type_expression, column.source, column.type_source)) -%}
        {%- elif column.type not in ('string', 'list') -%}
            {%- set check = column.copy() -%}
            {%- do check.pop('default', none) -%}
            {%- do reasons.append("case when " ~ raw ~ " is not null and " ~ cast_value(raw, check) ~ " is null then " ~ text_literal(column.source ~ ": not a valid " ~ column.type) ~ " end") -%}
        {%- endif -%}
        {%- if column.get('accepted') -%}
            {%- do reasons.append("case when " ~ raw ~ " is not null and lower(" ~ raw ~ ") not in ('" ~ column.accepted | join("', '") ~ "') then " ~ text_literal(column.source ~ ": not one of " ~ column.accepted | join(', ')) ~ " end") -%}
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
