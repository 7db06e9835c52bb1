{% macro rejected_in_staging() %}
{#- Rows of every staging model (vars.staging_models) that carry a _rejection_reason. -#}
    {%- set selects = [] -%}
    {%- for members in var('staging_models').values() -%}
        {%- for model_name in members -%}
            {%- do selects.append(
                "select retailer, '" ~ model_name.split('__')[-1] ~ "' as dataset, _source_file as source_file, "
                ~ "_line_number as line_number, cast(null as " ~ dbt.type_string() ~ ") as raw_text, "
                ~ "'staging' as rejected_by, _rejection_reason as reason from " ~ ref(model_name)
                ~ " where _rejection_reason is not null") -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ selects | join('\n    union all\n    ') }}
{% endmacro %}
