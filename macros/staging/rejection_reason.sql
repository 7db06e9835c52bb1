{% macro rejection_reason(columns, one_of_required=[], extra_reasons=[]) %}
{#-
    Why a staged row cannot be used, or null: a required value missing (and
    no default for it), a value that does not cast to its type, a value
    outside its accepted list (spelled exactly when the format is
    case_sensitive), a value its transform refuses (an e-mail that
    is not one, a user id that does not fit its type), plus any
    `extra_reasons` (SQL text expressions, null when fine).
    Reads the <name>__raw columns of the `cleaned` CTE of stage_source.
-#}
    {%- set reasons = [] -%}
    {%- set checked = [] -%}
    {%- for column in columns -%}
        {%- set raw = adapter.quote(column.name ~ '__raw') -%}
        {%- set label = column.source or column.name -%}
        {#- two columns reading one field (Shopify's Name) say it once -#}
        {%- if column.get('required') and column.get('default') is none and label not in checked -%}
            {%- do checked.append(label) -%}
            {%- do reasons.append("case when " ~ raw ~ " is null then " ~ text_literal(label ~ ": required value missing") ~ " end") -%}
        {%- endif -%}
        {%- if column.get('transform') == 'email_sha256' -%}
            {#- an e-mail hashed at landing is one that was valid; the loader masks the others -#}
            {%- do reasons.append("case when " ~ raw ~ " is not null and not (" ~ is_email(raw) ~ " or " ~ is_hashed_email(raw) ~ ") then " ~ text_literal(label ~ ": not a valid e-mail address") ~ " end") -%}
        {%- elif column.get('transform') == 'user_id' -%}
            {%- do reasons.append(user_id_matches_type(raw, column.type_expression, column.source, column.type_source)) -%}
        {%- elif column.type not in ('string', 'list') or column.get('format') -%}
            {%- set check = {} -%}
            {%- do check.update(column) -%}
            {%- do check.update({'default': none, 'accepted': none}) -%}
            {%- if column.type == 'url' -%}
                {%- set problem = 'not a complete URL' ~ (' (a path without a domain, or no protocol)' if not column.get('default_protocol') else ' (a path without a domain)') -%}
            {%- else -%}
                {%- set problem = 'not a valid ' ~ column.type ~ (' (' ~ column.format ~ ')' if column.get('format') else '') -%}
            {%- endif -%}
            {%- do reasons.append("case when " ~ raw ~ " is not null and " ~ cast_value(raw, check) ~ " is null then " ~ text_literal(label ~ ": " ~ problem) ~ " end") -%}
        {%- endif -%}
        {%- if column.get('accepted') -%}
            {#- spelled exactly in a case-sensitive format (vendor spec 003 lists them exactly) -#}
            {%- set value = raw if column.get('case_sensitive') else "lower(" ~ raw ~ ")" -%}
            {%- set accepted = [] -%}
            {%- for a in column.accepted -%}{%- do accepted.append(text_literal(a)) -%}{%- endfor -%}
            {%- do reasons.append("case when " ~ raw ~ " is not null and " ~ value ~ " not in (" ~ accepted | join(', ') ~ ") then "
                ~ text_literal(label ~ ": not one of " ~ column.accepted | join(', ') ~ (" (case sensitive)" if column.get('case_sensitive') else "")) ~ " end") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for group in one_of_required -%}
        {%- set checks = [] -%}
        {%- for name in group -%}
            {%- do checks.append(adapter.quote(name ~ '__raw') ~ " is null") -%}
        {%- endfor -%}
        {%- do reasons.append("case when " ~ checks | join(' and ') ~ " then '" ~ group | join(' or ') ~ ": one is required' end") -%}
    {%- endfor -%}
    {{ join_reasons(reasons + extra_reasons) }}
{% endmacro %}
