{% macro source_spec(loader) %}
{#-
    The format declaration as one source uses it: the source's meta.loader may
    override file options (`file:`), column declarations (`columns:
    {name: {source: ..., default: ...}}`, e.g. which field holds the product
    id) and defaults (`defaults: {channel: organic}`, short for
    columns.channel.default). The loader applies the same rules
    (loaders/formats.py, Format.for_source).
-#}
    {%- set spec = format_spec(loader['format']) -%}
    {%- set overrides = {} -%}
    {%- for name, options in (loader.get('columns') or {}).items() -%}
        {%- set copied = {} -%}
        {%- do copied.update(options or {}) -%}
        {%- do overrides.update({name: copied}) -%}
    {%- endfor -%}
    {%- for name, value in (loader.get('defaults') or {}).items() -%}
        {%- if name not in overrides -%}{%- do overrides.update({name: {}}) -%}{%- endif -%}
        {%- do overrides[name].update({'default': value}) -%}
    {%- endfor -%}
    {%- set known = spec['columns'] | map(attribute='name') | list -%}
    {%- for name in overrides if name not in known -%}
        {{ exceptions.raise_compiler_error("meta.loader of a " ~ loader['format'] ~ " source names column '" ~ name
            ~ "', which the format does not declare (columns: " ~ known | join(', ') ~ ")") }}
    {%- endfor -%}
    {%- set columns = [] -%}
    {%- for column in spec['columns'] -%}
        {%- set merged = {'source': column.name} -%}
        {%- do merged.update(column) -%}
        {%- do merged.update(overrides.get(column.name, {})) -%}
        {%- do columns.append(merged) -%}
    {%- endfor -%}
    {%- set file = {} -%}
    {%- do file.update(spec.get('file') or {}) -%}
    {%- do file.update(loader.get('file') or {}) -%}
    {%- set merged_spec = {} -%}
    {%- do merged_spec.update(spec) -%}
    {%- do merged_spec.update({'columns': columns, 'file': file, 'casts': loader.get('casts') or {}}) -%}
    {{ return(merged_spec) }}
{% endmacro %}
