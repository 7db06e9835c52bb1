{% macro staged_columns(spec, options) %}
{#-
    The format's columns as this source stages them: a column whose source
    column is chosen per source (source_option, e.g. Shopify's
    order_id_column: Id) gets that source; timestamps get the format's
    timestamp_formats, after the source's own timestamp_format, and the
    source's timezone; a user id learns the expression of its type column.
-#}
    {%- set own_formats = options.get('timestamp_format') or [] -%}
    {%- set formats = ([own_formats] if own_formats is string else own_formats) + spec.get('timestamp_formats', []) -%}
    {%- set names = {} -%}
    {%- for column in spec['columns'] -%}
        {%- do names.update({column.source: column.name}) -%}
    {%- endfor -%}
    {%- set staged = [] -%}
    {%- for declared in spec['columns'] -%}
        {%- set column = declared.copy() -%}
        {%- if column.get('source_option') and options.get(column.source_option) -%}
            {%- set chosen = options.get(column.source_option) -%}
            {%- if chosen not in column.get('source_choices', [column.source]) -%}
                {{ exceptions.raise_compiler_error(
                    "meta.loader." ~ column.source_option ~ " is '" ~ chosen ~ "'; format " ~ spec.name
                    ~ " accepts " ~ column.get('source_choices', [column.source]) | join(' or ')) }}
            {%- endif -%}
            {%- do column.update({'source': chosen}) -%}
        {%- endif -%}
        {%- if column.type == 'timestamp' -%}
            {%- do column.update({'formats': formats, 'timezone': options.get('timezone')}) -%}
        {%- endif -%}
        {%- if column.get('type_column') -%}
            {%- do column.update({
                'type_expression': adapter.quote(names[column.type_column] ~ '__raw'),
                'type_source': column.type_column}) -%}
        {%- endif -%}
        {%- do staged.append(column) -%}
    {%- endfor -%}
    {{ return(staged) }}
{% endmacro %}
