{% macro stage_source(source_name, table_name) %}
{#-
    The whole staging model of a retailer's source: the source's format (from
    its meta.loader block, with the source's own column mapping, options and
    defaults) says which columns to rename and cast; columns the raw table
    lacks become typed nulls so every retailer's model has the same shape;
    each row gets _rejection_reason (null when the row is valid) and
    _source_format.
    The source's `transformations` (field_transformations) apply first.
    A source of kind `bigquery` (meta.loader.source) is read in place: its
    new tables' rows, shaped like a raw table (bigquery_source_rows).
    Format options handled here:
    - `file.trailing_columns`: any number of extra fields, kept as one list;
    - `other_columns`: undeclared fields kept as one JSON object;
    - `custom_fields`: the <prefix><name> columns gathered into one JSON object;
    - `continuation_rows`: rows that continue the row above (a product's
      variants and images) take its values where they have none;
    - `line_items`: _order_group (the value telling the rows of one order
      apart) and _order_rejection_reason, the problems of the row's order
      columns, which only count on the order's first row
      (int_order_lines__validated applies them);
    - `rules`: vendor rules on a row's own values (rule_reason); errors flag
      the row (or its order columns), warnings are test rule_warnings'.
-#}
    {%- set relation = source(source_name, table_name) -%}
    {%- if not execute -%}
        {{ return("select 1 as placeholder") }}
    {%- endif -%}
    {%- set loader = source_loader(source_name, table_name) -%}
    {%- set spec = source_spec(loader) -%}
    {%- if spec.get('no_transformations') and (loader.get('transformations') or loader.get('casts')) -%}
        {{ exceptions.raise_compiler_error("Source " ~ source_name ~ "." ~ table_name ~ ": format " ~ spec.name
            ~ " takes no transformations (vendor spec: \"" ~ spec.no_transformations ~ "\")") }}
    {%- endif -%}
    {%- set lineage = ['_retailer', '_source_file', '_file_date', '_line_number', '_loaded_at', '_load_id'] -%}
    {%- set present = {} -%}
    {%- set raw_names = [] -%}
    {%- set in_place = loader.get('source') == 'bigquery' -%}
    {%- if in_place -%}
        {#- the export's fields the format reads, as the loader would have landed them -#}
        {%- for column in spec.columns if column.source and column.source | lower not in present -%}
            {%- do present.update({column.source | lower: column.source}) -%}
            {%- do raw_names.append(column.source) -%}
        {%- endfor -%}
    {%- else -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- do present.update({column.name | lower: column.name}) -%}
            {%- do raw_names.append(column.name) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set delivered = '(' ~ bigquery_source_rows(source_name, table_name, raw_names) ~ ') as delivered'
        if in_place else relation -%}
    {#- meta.loader.transformations: fields renamed, copied, added, deleted before the format reads them -#}
    {%- set transformed = field_transformations(loader.get('transformations') or [], raw_names, '_record' in present, loader.get('timezone'))
        if loader.get('transformations') else none -%}
    {%- if transformed -%}
        {%- do present.clear() -%}
        {%- do raw_names.clear() -%}
        {%- for name in transformed.names -%}
            {%- do present.update({name | lower: name}) -%}
            {%- do raw_names.append(name) -%}
        {%- endfor -%}
        {%- set casts = {} -%}
        {%- do casts.update(spec.casts) -%}
        {%- do casts.update(transformed.casts) -%}
        {%- do spec.update({'casts': casts}) -%}
    {%- endif -%}
    {%- set columns = order_staging_columns(staged_columns(spec, loader)) -%}
    {%- set read = [] -%}
    {%- for column in columns if column.source -%}
        {%- do read.append(column.source | lower) -%}
    {%- endfor -%}
    {%- set extras = [] -%}
    {%- set problems = ['_transform_problems'] if transformed else [] -%}

    {#- trailing fields: <prefix>_1 .. <prefix>_N, as many as the widest file had -#}
    {%- set trailing = spec.file.get('trailing_columns') -%}
    {%- if trailing -%}
        {%- set numbered = [] -%}
        {%- for name in raw_names if modules.re.fullmatch(trailing.prefix ~ '_[0-9]+', name | lower) -%}
            {%- do numbered.append((name.split('_')[-1] | int, name)) -%}
        {%- endfor -%}
        {%- set fields = [] -%}
        {%- for _, name in numbered | sort -%}
            {%- do fields.append(adapter.quote(name)) -%}
        {%- endfor -%}
        {%- do extras.append({'name': trailing.list, 'sql': text_list(fields)}) -%}
        {%- set fixed = spec.file.get('columns') or [] -%}
        {%- if fixed and present.get(fixed[-1] | lower) -%}
            {#- the loader pads short rows with nulls and keeps empty fields as '' -#}
            {%- do problems.append("case when " ~ adapter.quote(present.get(fixed[-1] | lower)) ~ " is null then 'row has fewer than "
                ~ fixed | length ~ " fields (empty fields still need their separators)' end") -%}
        {%- endif -%}
    {%- endif -%}

    {#- undeclared fields: one JSON object -#}
    {%- if spec.get('other_columns') -%}
        {%- set others = [] -%}
        {%- for name in raw_names if name not in lineage and name != '_record' and name | lower not in read
            and not (trailing and modules.re.fullmatch(trailing.prefix ~ '_[0-9]+', name | lower)) -%}
            {%- do others.append(name) -%}
        {%- endfor -%}
        {%- set attributes = other_columns_json(others, '_record' in present, spec.casts, transformed.record_values if transformed else none) -%}
        {%- do extras.append({'name': spec.other_columns, 'sql': attributes.value}) -%}
        {%- do problems.extend(attributes.problems) -%}
    {%- endif -%}

    {#- custom_<name> fields: one JSON object keyed by name -#}
    {%- set custom = spec.get('custom_fields') -%}
    {%- if custom -%}
        {%- do extras.append({'name': custom.name, 'sql': custom_fields(custom.prefix, raw_names)}) -%}
    {%- endif -%}

    {#- orders delivered as one row per line item -#}
    {%- set line_items = spec.get('line_items') -%}
    {%- set order_level = [] -%}
    {%- for column in entity_columns(spec.entity) if line_items and column.get('level') == 'order' -%}
        {%- do order_level.append(column.name) -%}
    {%- endfor -%}
    {#- a format's own column on the order's first row only says level: order -#}
    {%- for column in columns if line_items and column.get('level') == 'order' -%}
        {%- do order_level.append(column.name) -%}
    {%- endfor -%}
    {%- set row_columns, order_columns = [], [] -%}
    {%- for column in columns -%}
        {%- do (order_columns if column.name in order_level else row_columns).append(column) -%}
    {%- endfor -%}
    {%- if line_items -%}
        {%- do extras.append({'name': '_order_group', 'sql': raw_text(present.get(line_items.order_rows | lower))}) -%}
    {%- endif -%}

    {#- the format's rules on a row's own values (severity warn: test rule_warnings, never a rejection) -#}
    {%- set typed, staged_as = {}, {} -%}
    {%- for column in columns if column.get('declared_source') -%}
        {%- do typed.setdefault(column.declared_source, cast_value(adapter.quote(column.name ~ '__raw'), column)) -%}
        {%- do staged_as.setdefault(column.declared_source, column.name) -%}
    {%- endfor -%}
    {%- set row_rules, order_rules = [], [] -%}
    {%- for rule in spec.get('rules', []) if rule.get('severity', 'error') == 'error' -%}
        {%- do (order_rules if staged_as.get(rule.total) in order_level else row_rules).append(rule_reason(rule, typed)) -%}
    {%- endfor -%}
    {%- set continuation = spec.get('continuation_rows') -%}

with source as (

    {%- if transformed %}
    select
        {%- for sql, name in transformed.columns %}
        {{ sql }} as {{ quote_column(name) }},
        {%- endfor %}
        {{ transformed.problems }} as _transform_problems
    from {{ delivered }}
    {%- else %}
    select * from {{ delivered }}
    {%- endif %}

),

cleaned as (

    select
        {%- for column in columns %}
        {{ clean_value(present.get(column.source | lower) if column.source else none, column) }} as {{ adapter.quote(column.name ~ '__raw') }},
        {%- endfor %}
        {%- for extra in extras %}
        {{ extra.sql }} as {{ extra.name }},
        {%- endfor %}
        {{ join_reasons(problems) }} as _row_problems,
        {{ lineage | join(',\n        ') }}
    from source

),
{%- if continuation %}

filled as (

    -- continuation rows take their group's first value where they have none
    select
        {%- for column in columns %}
        {%- set raw = adapter.quote(column.name ~ '__raw') %}
        {%- if column.name == continuation.key %}
        {{ raw }},
        {%- else %}
        coalesce({{ raw }}, first_value({{ raw }} ignore nulls) over (
            partition by _source_file, {{ adapter.quote(continuation.key ~ '__raw') }}
            order by _line_number rows between unbounded preceding and unbounded following
        )) as {{ raw }},
        {%- endif %}
        {%- endfor %}
        {%- for extra in extras %}
        {{ extra.name }},
        {%- endfor %}
        row_number() over (
            partition by _source_file, {{ adapter.quote(continuation.key ~ '__raw') }}
            order by _line_number
        ) > 1 as _is_continuation_row,
        _row_problems,
        {{ lineage | join(',\n        ') }}
    from cleaned

),
{%- endif %}

renamed as (

    select
        _retailer as retailer,
        {%- for column in columns %}
        {{ cast_value(adapter.quote(column.name ~ '__raw'), column) }} as {{ column.name }},
        {%- endfor %}
        {%- for column in columns if column.type == 'url' and column.get('default_protocol') %}
        {{ is_protocol_defaulted(adapter.quote(column.name ~ '__raw'), column.default_protocol) }} as is_{{ column.name }}_protocol_defaulted,
        {%- endfor %}
        {%- for extra in extras %}
        {{ extra.name }},
        {%- endfor %}
        {%- if continuation %}
        _is_continuation_row,
        {%- endif %}
        {{ rejection_reason(row_columns, spec.get('one_of_required', []), ['_row_problems'] + row_rules) }} as _rejection_reason,
        {%- if line_items %}
        {{ rejection_reason(order_columns, [], order_rules) }} as _order_rejection_reason,
        {%- endif %}
        {{ text_literal(spec.name) }} as _source_format,
        _source_file,
        _file_date,
        _line_number,
        _loaded_at,
        _load_id
    from {{ 'filled' if continuation else 'cleaned' }}

)

select * from renamed
{%- endmacro %}
