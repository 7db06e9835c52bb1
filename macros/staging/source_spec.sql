{% macro source_spec(loader) %}
{#-
    The format declaration as one source uses it: the source's meta.loader may
    override file options (`file:`), column declarations (`columns:
    {name: {source: ..., default: ...}}`, e.g. which field holds the product
    id), defaults (`defaults: {channel: organic}`, short for
    columns.channel.default) and make fields the format requires optional
    (`optional_columns: [Email, Total]`, fields the retailer's export omits).
    Each column keeps the field the format declares in `declared_source`
    (the name the format's rules use) and the format's `case_sensitive`
    (accepted values spelled exactly). The loader applies the same rules
    (loaders/formats.py, Format.for_source).
-#}
    {%- set spec = format_spec(loader['format']) -%}
    {%- set overrides = {} -%}
    {%- set optional = loader.get('optional_columns') or [] -%}
    {%- set optional = [optional] if optional is string else optional -%}
    {%- set order_rows = (spec.get('line_items') or {}).get('order_rows') -%}
    {%- set allowed = [] -%}
    {%- for column in spec['columns'] if column.get('required') and column.get('source') and column.source != order_rows -%}
        {%- do allowed.append(column.source) -%}
    {%- endfor -%}
    {%- for name in optional if name not in allowed -%}
        {{ exceptions.raise_compiler_error("meta.loader.optional_columns of a " ~ loader['format'] ~ " source names '" ~ name
            ~ "', not a field the format requires (it may name: " ~ allowed | unique | join(', ') ~ ")") }}
    {%- endfor -%}
    {%- for column in spec['columns'] if column.get('source') in optional -%}
        {%- do overrides.update({column.name: {'required': false}}) -%}
    {%- endfor -%}
    {%- for name, options in (loader.get('columns') or {}).items() -%}
        {%- set copied = {} -%}
        {%- do copied.update(overrides.get(name, {})) -%}
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
        {%- do merged.update({'declared_source': merged.source, 'case_sensitive': spec.get('case_sensitive', false)}) -%}
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
