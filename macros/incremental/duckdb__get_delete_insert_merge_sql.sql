{% macro duckdb__get_delete_insert_merge_sql(target, source, unique_key, dest_columns, incremental_predicates) -%}
{#-
    Overrides dbt-duckdb's macro of the same name (root-project macros win)
    for one addition: a fact with meta.prune_partitions deletes only among
    the rows from the incoming rows' earliest date less the processing
    window (macro prune_window), as its BigQuery MERGE does, instead of
    looking up every key of its history; and the rows go in ordered by that
    date (macro stored_order), so that the lookup skips older row groups.
    Re-check against dbt-duckdb when
    upgrading it.
-#}
    {%- set dest_cols_csv = get_quoted_csv(dest_columns | map(attribute="name")) -%}
    {%- set predicates = [] if incremental_predicates is none else [] + incremental_predicates -%}

    {% if unique_key %}
        {% if unique_key is sequence and unique_key is not string %}
            delete from {{ target }} as DBT_INCREMENTAL_TARGET
            using {{ source }}
            where (
                {% for key in unique_key %}
                    {{ source }}.{{ key }} = DBT_INCREMENTAL_TARGET.{{ key }}
                    {{ "and " if not loop.last }}
                {% endfor %}
                {% for predicate in predicates %}
                    and {{ predicate }}
                {% endfor %}
                {{ prune_window(source, column_prefix='DBT_INCREMENTAL_TARGET.', as_constant=true) }}
            );
        {% else %}
            delete from {{ target }}
            where (
                {{ unique_key }}) in (
                select ({{ unique_key }})
                from {{ source }}
            )
            {%- for predicate in predicates %}
                and {{ predicate }}
            {% endfor -%}
            {{ prune_window(source, as_constant=true) }};
        {% endif %}
    {% endif %}

    insert into {{ target }} ({{ dest_cols_csv }})
    (
        select {{ dest_cols_csv }}
        from {{ source }}
        {{ stored_order((config.get('meta') or {}).get('prune_partitions') or none) }}
    )
{%- endmacro %}
