{% macro cast_value(expression, column) %}
{#-
    Cast a cleaned raw value to the column's declared type. Text that does not
    cast becomes null, and rejection_reason names it, so no value is lost
    silently. Declared defaults apply to missing values only.
    Options: `format` (dates and timestamps in exactly one form, see
    value_format), `epoch` (timestamps as a count since 1970, see
    timestamp_from_epoch), `default_protocol` (url columns, see complete_url),
    `formats` / `timezone` (timestamp patterns, see parse_timestamp_utc).
    A transform (email_sha256, user_id, user_id_type) replaces the value by
    its normalised form: plain e-mails never leave staging.
-#}
    {%- set type = column.type -%}
    {%- if column.get('format') -%}
        {%- set expression = "case when " ~ regex_full_match(expression, value_format(column.format)) ~ " then " ~ expression ~ " end" -%}
    {%- endif -%}
    {%- set transform = column.get('transform') -%}
    {%- if transform == 'email_sha256' -%}
        {%- set value = email_sha256(expression) -%}
    {%- elif transform == 'user_id' -%}
        {%- set value = normalized_user_id(expression, column.type_expression) -%}
    {%- elif transform == 'user_id_type' -%}
        {%- set value = normalized_user_id_type(expression) -%}
    {%- elif transform -%}
        {{ exceptions.raise_compiler_error("Column " ~ column.name ~ " has unknown transform '" ~ transform ~ "'") }}
    {%- elif type == 'string' -%}
        {%- set value = 'lower(' ~ expression ~ ')' if column.get('accepted') and not column.get('case_sensitive') else expression -%}
    {%- elif type == 'url' -%}
        {%- set value = complete_url(expression, column.get('default_protocol')) -%}
    {%- elif type == 'integer' -%}
        {#- whole numbers only: a cast would round 1.5 to 2 -#}
        {%- set value = "case when " ~ regex_full_match(expression, '[+-]?[0-9]+') ~ " then " ~ try_cast(expression, dbt.type_bigint()) ~ " end" -%}
    {%- elif type == 'number' -%}
        {%- set value = try_cast(expression, dbt.type_numeric()) -%}
    {%- elif type == 'boolean' -%}
        {%- set value = "case lower(" ~ expression ~ ") when 'true' then true when 'false' then false end" -%}
    {%- elif type == 'date' and column.get('format') == 'YYYYMMDD' -%}
        {%- set value = compact_date(expression) -%}
    {%- elif type == 'date' -%}
        {%- set value = try_cast(expression, "date") -%}
    {%- elif type == 'timestamp' and column.get('epoch') -%}
        {%- set value = timestamp_from_epoch(expression, column.epoch) -%}
    {%- elif type == 'timestamp' -%}
        {%- set value = parse_timestamp_utc(expression, column.get('formats'), column.get('timezone')) -%}
    {%- elif type == 'list' -%}
        {%- set value = split_list(expression, column.get('separator', ';')) -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error("Column " ~ column.name ~ " has unknown type '" ~ type ~ "'") }}
    {%- endif -%}
    {%- if column.get('default') is not none -%}
        coalesce({{ value }}, {{ "'" ~ column.default ~ "'" if type in ('string', 'url') else column.default }})
    {%- else -%}
        {{ value }}
    {%- endif -%}
{% endmacro %}
