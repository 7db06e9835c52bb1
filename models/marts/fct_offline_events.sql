{{
    config(
        materialized='incremental',
        unique_key='offline_event_key',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

{#-
    One row per offline event (vendor spec 004): store purchases, call-centre
    calls, store visits. An event is its retailer, customer, time, type,
    product and purchase id (and which of identical lines of its file it is);
    delivered again, the newest delivery wins.
-#}
with new_events as (

    select * from {{ ref('int_offline_events__unioned') }}
    where _rejection_reason is null and {{ new_loads() }}

),

event_types as (

    select * from {{ ref('offline_event_types') }}

),

natural_keys as (

    select
        *,
        {{ dbt.concat([
            "customer_id", "'|'", timestamp_text("event_at"), "'|'",
            dbt.safe_cast("event_type_code", dbt.type_string()), "'|'",
            "event_name", "'|'", "coalesce(purchase_id, '')"
        ]) }} as event_key
    from new_events

),

occurrences as (

    -- identical lines in one file are separate events (two of a product on
    -- one receipt); the n-th of them matches the n-th when delivered again
    select
        *,
        row_number() over (partition by retailer, _source_file, event_key order by _line_number) as occurrence
    from natural_keys

),

keyed as (

    select
        {{ dbt.hash(dbt.concat([
            "occurrences.retailer", "'|'", "occurrences.event_key", "'|'",
            dbt.safe_cast("occurrences.occurrence", dbt.type_string())
        ])) }} as offline_event_key,
        occurrences.retailer,
        occurrences.customer_id,
        occurrences.purchase_id,
        occurrences.event_type_code,
        event_types.event_type_name,
        occurrences.category_code,
        occurrences.event_name,
        occurrences.var_1,
        occurrences.var_2,
        occurrences.var_3,
        occurrences.var_4,
        occurrences.var_5,
        occurrences.event_name_attr_1,
        occurrences.event_name_attr_2,
        occurrences.event_name_attr_3,
        occurrences.event_name_attr_4,
        occurrences.event_name_attr_5,
        occurrences.event_name_attr_6,
        occurrences.event_name_attr_7,
        occurrences.event_name_attr_8,
        occurrences.event_name_attr_9,
        occurrences.event_name_attr_10,
        occurrences.transaction_attributes,
        occurrences.quantity,
        occurrences.total_sales,
        -- an amount like total_sales (a quotient is a double on DuckDB, numeric on BigQuery)
        case
            when occurrences.quantity <> 0
                then cast(occurrences.total_sales / occurrences.quantity as {{ dbt.type_numeric() }})
        end as unit_price,
        cast(occurrences.event_at as date) as event_date,
        occurrences._file_date as file_date,
        occurrences.event_at,
        occurrences._source_file,
        occurrences._line_number,
        occurrences._load_id
    from occurrences
    left join event_types
        on occurrences.event_type_code = event_types.event_type_code

),

candidates as (
    {{ keep_latest('keyed', 'offline_event_key') }}
),

ranked as (

    select
        *,
        row_number() over (
            partition by offline_event_key
            order by file_date desc nulls last, _load_id desc, _line_number desc
        ) as version_rank
    from candidates

)

select
    offline_event_key,
    retailer,
    customer_id,
    purchase_id,
    event_type_code,
    event_type_name,
    category_code,
    event_name,
    var_1,
    var_2,
    var_3,
    var_4,
    var_5,
    event_name_attr_1,
    event_name_attr_2,
    event_name_attr_3,
    event_name_attr_4,
    event_name_attr_5,
    event_name_attr_6,
    event_name_attr_7,
    event_name_attr_8,
    event_name_attr_9,
    event_name_attr_10,
    transaction_attributes,
    quantity,
    total_sales,
    unit_price,
    event_date,
    file_date,
    event_at,
    _source_file,
    _line_number,
    _load_id
from ranked
where version_rank = 1
