{#-
    Identity stitching: which CRM id a visitor id belongs to, over time.
    A visitor id's observations with a CRM id (int_identity_observations) are
    cut into periods of one CRM id each. A period runs from just after the
    previous period's last sighting (or from the visitor id's first event)
    to its own last sighting (or on, for the latest), so events before a
    login belong to the user who logs in after them, and a device handed
    from one user to another changes hands at the next login.
    Visitor ids seen with more than audit_max_crm_ids_per_visitor_id CRM ids
    are shared (duplication): their periods are listed but their anonymous
    events are not stitched to anyone.
-#}
with observations as (

    select
        retailer,
        visitor_id,
        crm_id,
        observed_at,
        case
            when
                lag(crm_id) over (
                    partition by retailer, visitor_id
                    order by observed_at, crm_id
                ) = crm_id
                then 0
            else 1
        end as is_new_period
    from {{ ref('int_identity_observations') }}

),

numbered as (

    select
        *,
        sum(is_new_period) over (
            partition by retailer, visitor_id
            order by observed_at, crm_id
            rows between unbounded preceding and current row
        ) as period_number
    from observations

),

periods as (

    select
        retailer,
        visitor_id,
        period_number,
        min(crm_id) as crm_id,
        min(observed_at) as first_seen_at,
        max(observed_at) as last_seen_at,
        count(*) as observations
    from numbered
    group by retailer, visitor_id, period_number

),

visitors as (

    select
        retailer,
        visitor_id,
        count(distinct crm_id) as crm_ids_of_visitor,
        max(period_number) as last_period_number
    from numbered
    group by retailer, visitor_id

),

bounded as (

    select
        periods.*,
        visitors.crm_ids_of_visitor,
        lag(periods.last_seen_at) over (
            partition by periods.retailer, periods.visitor_id
            order by periods.period_number
        ) as valid_after,
        case
            when periods.period_number < visitors.last_period_number then periods.last_seen_at
        end as valid_until
    from periods
    inner join visitors
        on
            periods.retailer = visitors.retailer
            and periods.visitor_id = visitors.visitor_id

)

select
    {{ dbt.hash(dbt.concat([
        "retailer", "'|'", "visitor_id", "'|'", dbt.safe_cast("period_number", dbt.type_string())
    ])) }} as identity_period_key,
    retailer,
    visitor_id,
    crm_id,
    period_number,
    observations,
    crm_ids_of_visitor,
    crm_ids_of_visitor > {{ var('audit_max_crm_ids_per_visitor_id') }} as is_shared_visitor_id,
    valid_after,
    valid_until,
    first_seen_at,
    last_seen_at
from bounded
