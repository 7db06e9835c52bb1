{% test no_rejected_rows(model) %}
{#- Rows a staging model flags with _rejection_reason, named by file and line. -#}
    {{ return(adapter.dispatch('test_no_rejected_rows', 'retail_imports')(model)) }}
{% endtest %}

{% macro default__test_no_rejected_rows(model) %}
select _source_file, _line_number, _rejection_reason
from {{ model }}
where _rejection_reason is not null
{% endmacro %}
