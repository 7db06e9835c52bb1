{% macro log_rejected_rows(model, limit) %}
{#- Write the first `limit` rejected rows of `model` to the dbt output (when tests run, not when compiling). -#}
    {%- if not execute or flags.WHICH not in ('build', 'test') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set found = run_query(
        "select _source_file, _line_number, _rejection_reason, count(*) over () as total from " ~ model
        ~ " where _rejection_reason is not null order by _source_file, _line_number limit " ~ limit) -%}
    {%- for row in found.rows -%}
        {%- do log("  rejected " ~ row[0] ~ ":" ~ row[1] ~ ": " ~ row[2], info=True) -%}
    {%- endfor -%}
    {%- if found.rows and found.rows[0][3] > limit -%}
        {%- do log("  ... and " ~ (found.rows[0][3] - limit) ~ " more rows: select * from audit_rejected_rows", info=True) -%}
    {%- endif -%}
{% endmacro %}
