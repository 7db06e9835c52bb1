{% macro other_columns_json(names, has_record, casts, record_values=none) %}
{#-
    The raw columns no declared column reads, as one JSON object keyed by
    their names in the file (format option other_columns; CRM users keep every
    field as an attribute). CSV values are text unless the source casts them
    (meta.loader.casts: {field: integer | float | bool | string}); JSON lines
    values keep their JSON types (`record_values`: SQL of a field's JSON value
    after the transformations, field_transformations; none when a timestamp
    or cast changed it, which is then text). Returns {'value': SQL, 'problems': SQL}, the
    second naming fields whose cast failed.
-#}
    {%- set pairs = [] -%}
    {%- set problems = [] -%}
    {%- for name in names -%}
        {%- set text = raw_text(name) -%}
        {%- set key = "'" ~ name | replace("'", "''") ~ "'" -%}
        {%- if name in casts -%}
            {%- set cast = cast_attribute(text, casts[name]) -%}
            {%- do pairs.append(key ~ ", " ~ cast) -%}
            {%- do problems.append("case when " ~ text ~ " is not null and " ~ cast ~ " is null then '" ~ name | replace("'", "''") ~ ": cannot be cast to " ~ casts[name] ~ "' end") -%}
        {%- elif has_record and (record_values is none or record_values.get(name) is not none) -%}
            {%- do pairs.append(key ~ ", coalesce(" ~ (record_values[name] if record_values else json_field('_record', name)) ~ ", to_json(" ~ text ~ "))") -%}
        {%- else -%}
            {%- do pairs.append(key ~ ", " ~ text) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return({'value': 'json_object(' ~ pairs | join(', ') ~ ')', 'problems': problems}) }}
{% endmacro %}
