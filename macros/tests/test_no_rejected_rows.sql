{% test no_rejected_rows(model, limit=50) %}
{#-
    Rows a model flags with _rejection_reason, named by file and line. dbt
    only prints how many rows a test found, so the first `limit` of them are
    also written to the dbt output, one line each: file:line: reason.
-#}
    {%- do log_rejected_rows(model, limit) -%}
    {{ return(adapter.dispatch('test_no_rejected_rows', 'retail_imports')(model)) }}
{% endtest %}

{% macro default__test_no_rejected_rows(model) %}
select _source_file, _line_number, _rejection_reason
from {{ model }}
where _rejection_reason is not null
{% endmacro %}
