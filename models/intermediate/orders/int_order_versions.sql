{#-
    The versions of each order, in business order, whatever the landing order:
    deliveries are ordered by the order's lastUpdated, then the file date
    (Kevel files carry no date in their name; lastUpdated is the vendor's own
    version of an order), then file name, then landing (the newest landing of
    a re-delivered file is its newest content). A delivery whose whole state (order columns and every
    line) equals the previous delivery's brings no new information and is no
    version. The first version is the orderPlace, each later one an
    orderUpdate. Each order with a new state is rebuilt from its whole kept
    history (rebuilt_orders), so a day-2 file landed after day 3 takes its
    place between them, and a daily run touches only that day's orders.
-#}
{#- incremental by order: dbt_project.yml (intermediate.orders) -#}

with deliveries as (

    select
        order_key,
        delivery_key,
        retailer,
        order_id,
        max(order_hash) as order_hash,
        {{ dbt.hash(dbt.concat(["max(order_hash)", "'|'", dbt.listagg(
            dbt.concat(["line_item_key", "'='", "line_hash"]), "','", "order by line_item_key")])) }} as state_hash,
        count(*) as line_count,
        max(ordered_at) as ordered_at,
        max(updated_at) as updated_at,
        max(_file_date) as file_date,
        max(_source_file) as source_file,
        max(_source_format) as source_format,
        max(_load_id) as load_id,
        max(_loaded_at) as loaded_at
    from {{ ref('int_order_line_states') }}
    where
        {{ rebuilt_orders(ref('int_order_line_states'), '_load_id') }}
        and {{ rebuilt_states_from(rebuilt_orders(ref('int_order_line_states'), '_load_id'), versions=this) }}
    group by order_key, delivery_key, retailer, order_id

),

sequenced as (

    select
        *,
        lag(state_hash) over delivery_order as previous_state_hash,
        -- the newest landing this order's versions were built from (rebuilt_orders)
        max(load_id) over (partition by order_key) as _states_load_id,
        -- and its earliest: a rebuild reads its states from there on (rebuilt_states_from)
        min(load_id) over (partition by order_key) as _first_load_id
    from deliveries
    window delivery_order as (
        partition by order_key
        order by updated_at nulls first, file_date nulls first, source_file, load_id
    )

),

versions as (

    select * from sequenced
    where previous_state_hash is null or previous_state_hash != state_hash

),

numbered as (

    select
        *,
        row_number() over version_order as version_number,
        lag(delivery_key) over version_order as previous_delivery_key
    from versions
    window version_order as (
        partition by order_key
        order by updated_at nulls first, file_date nulls first, source_file, load_id
    )

)

select
    {{ dbt.hash(dbt.concat(["order_key", "'|'", "delivery_key"])) }} as event_key,
    order_key,
    delivery_key,
    previous_delivery_key,
    retailer,
    order_id,
    version_number,
    case when version_number = 1 then 'orderPlace' else 'orderUpdate' end as event_type,
    -- an orderPlace happens when the order was placed; an update when the order
    -- says it was last updated, else on the day of the file that told us
    case
        when version_number = 1 then ordered_at
        else coalesce(updated_at, cast(file_date as {{ dbt.type_timestamp() }}))
    end as event_at,
    state_hash,
    order_hash,
    line_count,
    ordered_at,
    updated_at,
    file_date,
    source_file,
    source_format,
    load_id,
    loaded_at,
    _states_load_id,
    _first_load_id
from numbered
