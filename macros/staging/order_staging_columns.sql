{% macro order_staging_columns(columns) %}
{#- Staging column order of the style guide: ids, strings, numbers, booleans, dates, timestamps. -#}
    {%- set groups = {'id': [], 'string': [], 'number': [], 'boolean': [], 'date': [], 'timestamp': []} -%}
    {%- for column in columns -%}
        {%- if column.name.endswith('_id') -%}
            {%- do groups['id'].append(column) -%}
        {%- elif column.type == 'list' -%}
            {%- do groups['string'].append(column) -%}
        {%- elif column.type in ('integer', 'number') -%}
            {%- do groups['number'].append(column) -%}
        {%- elif column.type == 'url' -%}
            {%- do groups['string'].append(column) -%}
        {%- else -%}
            {%- do groups[column.type].append(column) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(groups['id'] + groups['string'] + groups['number'] + groups['boolean'] + groups['date'] + groups['timestamp']) }}
{% endmacro %}
