{% test required_values(model, format, vendor_required=false) %}
{#-
    Valid rows of `format` in `model` hold every value the format declares
    required (required: true), or, with vendor_required=true, every value the
    vendor calls required but real exports may omit (vendor_required: true;
    run it at warn level). Columns are the format's staging names. One row
    per missing value, named by file and line.
-#}
    {{ return(adapter.dispatch('test_required_values', 'retail_imports')(model, format, vendor_required)) }}
{% endtest %}

{% macro default__test_required_values(model, format, vendor_required) %}
    {%- if not execute -%}
        {{ return('select 1 as placeholder') }}
    {%- endif -%}
    {%- set key = 'vendor_required' if vendor_required else 'required' -%}
    {%- set checks = [] -%}
    {%- for column in format_spec(format)['columns'] if column.get(key) -%}
        {%- do checks.append(
            "select _source_file, _line_number, " ~ text_literal(column.source) ~ " as missing_value from " ~ model
            ~ " where _source_format = " ~ text_literal(format) ~ " and _rejection_reason is null and "
            ~ column.name ~ " is null") -%}
    {%- endfor -%}
    {%- if checks -%}
        {{ checks | join('\nunion all\n') }}
    {%- else -%}
        select _source_file, _line_number, cast(null as {{ dbt.type_string() }}) as missing_value from {{ model }} where 1 = 0
    {%- endif -%}
{% endmacro %}
