{#-
    How far each visitor model has read the change feed: one row per build
    of a visitor model, with the newest int_visitor_event_changes load it
    processed (Snowplow web's incremental manifest). The visitor models
    write it themselves, in a post-hook inside their own transaction
    (macro record_visitor_watermark), so the mark moves exactly when their
    rows do, also in a build that had nothing for them to write (a retailer
    without orders would otherwise re-read the whole feed at every build).
    This model only creates the table.
-#}
{#- BigQuery has no append strategy; its merge without a unique key only inserts -#}
{{
    config(
        materialized='incremental',
        incremental_strategy=('merge' if target.type == 'bigquery' else 'append'),
        on_schema_change='fail',
    )
}}

select
    cast(null as {{ dbt.type_string() }}) as model_name,
    cast(null as {{ dbt.type_bigint() }}) as changes_load_id,
    cast(null as {{ dbt.type_timestamp() }}) as recorded_at
from {{ ref('int_visitor_event_changes') }}
where 1 = 0
