{% macro rejected_in_staging() %}
{#-
    Rows of every staging model (vars.staging_models) that carry a
    _rejection_reason. An entity listed in vars.validation_models is read
    from that model instead: it re-checks the entity's staged rows with rules
    that need the neighbouring rows or reference data, and its
    _rejection_reason includes the staging one (the dataset then comes from
    the file manifest).
-#}
    {%- set selects = [] -%}
    {%- set validation_models = var('validation_models', {}) -%}
    {%- for entity, members in var('staging_models').items() -%}
        {%- if entity in validation_models -%}
            {%- do selects.append(
                "select validated.retailer, (select min(files.dataset) from " ~ source('loader', 'files') ~ " as files"
                ~ " where files.retailer = validated.retailer and files.file_name = validated._source_file) as dataset, "
                ~ "validated._source_file as source_file, validated._line_number as line_number, cast(null as "
                ~ dbt.type_string() ~ ") as raw_text, 'staging' as rejected_by, validated._rejection_reason as reason, "
                ~ "validated._load_id as load_id from "
                ~ ref(validation_models[entity]) ~ " as validated where validated._rejection_reason is not null") -%}
        {%- else -%}
            {%- for model_name in members -%}
                {%- do selects.append(
                    "select retailer, '" ~ model_name.split('__')[-1] ~ "' as dataset, _source_file as source_file, "
                    ~ "_line_number as line_number, cast(null as " ~ dbt.type_string() ~ ") as raw_text, "
                    ~ "'staging' as rejected_by, _rejection_reason as reason, _load_id as load_id from " ~ ref(model_name)
                    ~ " where _rejection_reason is not null") -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {{ selects | join('\n    union all\n    ') }}
{% endmacro %}
