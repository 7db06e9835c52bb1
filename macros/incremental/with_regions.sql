{% macro with_regions(rows, regions) %}
{#-
    The last select of a model with incremental_strategy 'replace_regions':
    the rebuilt rows of CTE `rows` and, in an incremental run, one marker row
    per region of CTE `regions` (its meta.regions.by columns and
    `region_from`: the region starts there; null for the whole unit).
    Markers are flagged _is_region_marker, carry the unit and the start in the
    model's own columns, typed as the table's, and are never inserted (see
    get_incremental_replace_regions_sql). A full build is just the rows, in
    time order (macro stored_order).
-#}
    {%- if is_incremental() -%}
        {%- set spec = config.get('meta')['regions'] -%}
        {%- set columns = adapter.get_columns_in_relation(this) %}
    select
        {%- for column in columns %}
        {{ rows }}.{{ column.name }},
        {%- endfor %}
        false as _is_region_marker
    from {{ rows }}
    union all
    select
        {%- for column in columns %}
        {%- if column.name in spec['by'] %}
        {{ regions }}.{{ column.name }},
        {%- elif column.name == spec.get('from') %}
        cast({{ regions }}.region_from as {{ column.data_type }}) as {{ column.name }},
        {%- else %}
        cast(null as {{ column.data_type }}) as {{ column.name }},
        {%- endif %}
        {%- endfor %}
        true as _is_region_marker
    from {{ regions }}
    {%- else %}
    select * from {{ rows }} {{ stored_order() }}
    {%- endif -%}
{%- endmacro %}
