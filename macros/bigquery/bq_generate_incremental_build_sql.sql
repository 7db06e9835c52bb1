{% macro bq_generate_incremental_build_sql(
    strategy, tmp_relation, target_relation, sql, unique_key, partition_by, partitions, dest_columns, tmp_relation_exists, copy_partitions, incremental_predicates
) %}
{#-
    Overrides dbt-bigquery's macro of the same name: identical, plus the
    'delete+insert' and 'replace_regions' branches (see
    dbt_bigquery_validate_get_incremental_strategy).
-#}
  {% if strategy == 'delete+insert' %}
    {% set build_sql = bigquery_delete_insert_sql(
        tmp_relation, target_relation, sql, unique_key, partition_by, dest_columns, tmp_relation_exists, incremental_predicates
    ) %}
  {% elif strategy == 'replace_regions' %}
    {% set build_sql = bigquery_replace_regions_sql(
        tmp_relation, target_relation, sql, unique_key, dest_columns, tmp_relation_exists
    ) %}
  {% elif strategy == 'insert_overwrite' %}
    {% set build_sql = bq_generate_incremental_insert_overwrite_build_sql(
        tmp_relation, target_relation, sql, unique_key, partition_by, partitions, dest_columns, tmp_relation_exists, copy_partitions
    ) %}
  {% elif strategy == 'microbatch' %}
    {% set build_sql = bq_generate_microbatch_build_sql(
        tmp_relation, target_relation, sql, unique_key, partition_by, partitions, dest_columns, tmp_relation_exists, copy_partitions
    ) %}
  {% else %}
    {% set build_sql = bq_generate_incremental_merge_build_sql(
        tmp_relation, target_relation, sql, unique_key, partition_by, dest_columns, tmp_relation_exists, incremental_predicates
    ) %}
  {% endif %}
  {{ return(build_sql) }}
{% endmacro %}
