{% macro dbt_bigquery_validate_get_incremental_strategy(config) %}
{#-
    Overrides dbt-bigquery's macro of the same name (root-project macros win)
    to accept 'delete+insert' and the project's 'replace_regions'
    (macros/incremental/replace_regions.sql), which dbt-bigquery lacks. The marts need it:
    fct_order_line_items and fct_conversions replace every row of a key
    (an order's lines, a retailer-day) and a MERGE cannot, because it matches
    at most one source row per target row. bq_generate_incremental_build_sql
    routes it to bigquery_delete_insert_sql. DECISIONLOG "BigQuery marts".
-#}
    {%- set strategy = config.get("incremental_strategy") or 'merge' -%}
    {%- if strategy not in ['merge', 'insert_overwrite', 'microbatch', 'delete+insert', 'replace_regions'] -%}
        {% do exceptions.raise_compiler_error(
            "Invalid incremental strategy provided: " ~ strategy
            ~ "\n    Expected one of: 'merge', 'insert_overwrite', 'microbatch', 'delete+insert', 'replace_regions'") %}
    {%- endif -%}
    {%- if strategy == 'microbatch' -%}
        {% do bq_validate_microbatch_config(config) %}
    {%- endif -%}
    {% do return(strategy) %}
{% endmacro %}
