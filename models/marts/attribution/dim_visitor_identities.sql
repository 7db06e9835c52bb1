-- sqlfluff:indentation:template_blocks_indent:False
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
    events are not stitched.

    Incremental by visitor id: a visitor id with a changed observation gets
    all its periods rebuilt, not from all its observations but from its
    saved periods, each standing for its run of observations, plus the new
    observations: an observation with the period's CRM id joins it, one
    with another CRM id between two of its sightings splits it, and only
    then (or when an observation in it was replaced) are that period's
    observations read again (DECISIONLOG "Visitor models rebuild regions").
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='replace_regions',
        meta={'regions': {'by': ['retailer', 'visitor_id']}, 'test_scope': '_changes_load_id'},
        post_hook="{{ record_visitor_watermark() }}",
    )
}}
{%- if is_incremental() -%}
{%- set exploded_sql -%}
        with changes as (
            {{ visitor_changes() }}
        ),

        -- what replaced events said before: their periods are counted again
        removed as (
            select retailer, previous_visitor_id as visitor_id, previous_event_at as observed_at
            from changes
            where previous_crm_id is not null and previous_visitor_id is not null
        ),

        -- the current version of each changed event that is an observation
        added as (
            select retailer, visitor_id, crm_id, event_at as observed_at
            from (
                select
                    *,
                    row_number() over (partition by event_key, event_type order by _load_id desc) as version_rank
                from changes
            ) as versions
            where version_rank = 1 and crm_id is not null and visitor_id is not null
        )

        select
            saved.retailer,
            saved.visitor_id,
            saved.period_number,
            saved.first_seen_at,
            saved.last_seen_at
        from {{ this }} as saved
        where
            exists (
                select 1 from removed
                where
                    removed.retailer = saved.retailer
                    and removed.visitor_id = saved.visitor_id
                    and removed.observed_at between saved.first_seen_at and saved.last_seen_at
            )
            or exists (
                select 1 from added
                where
                    added.retailer = saved.retailer
                    and added.visitor_id = saved.visitor_id
                    and added.crm_id != saved.crm_id
                    and (added.observed_at > saved.first_seen_at
                         or (added.observed_at = saved.first_seen_at and added.crm_id > saved.crm_id))
                    and (added.observed_at < saved.last_seen_at
                         or (added.observed_at = saved.last_seen_at and added.crm_id < saved.crm_id))
            )
{%- endset -%}
{#- the observations of split periods are read from the first one's start: a constant, for pruning -#}
{%- set read_from = 'null' -%}
{%- if execute -%}
{%- set earliest = run_query("select cast(min(first_seen_at) as " ~ api.Column.translate_type('string')
                                     ~ ") from (" ~ exploded_sql ~ ") as exploded").rows[0][0] -%}
{%- if earliest is not none -%}
{%- set read_from = "cast('" ~ earliest ~ "' as " ~ api.Column.translate_type('timestamp') ~ ")" -%}
{%- endif -%}
{%- endif -%}
{%- endif %}

with
{%- if is_incremental() %}

changes as (
    {{ visitor_changes() }}
),

touched as (

    select distinct
        retailer,
        visitor_id
    from (
        select
            retailer,
            visitor_id
        from changes
        where crm_id is not null and visitor_id is not null
        union all
        select
            retailer,
            previous_visitor_id
        from changes
        where previous_crm_id is not null and previous_visitor_id is not null
    ) as changed

),

added as (

    select
        retailer,
        visitor_id,
        crm_id,
        event_at as observed_at
    from (
        select
            *,
            row_number() over (partition by event_key, event_type order by _load_id desc) as version_rank
        from changes
    ) as versions
    where version_rank = 1 and crm_id is not null and visitor_id is not null

),

exploded as (
    {{ exploded_sql }}
),

-- the saved periods of the visitor ids, each one element for its run of observations
kept_periods as (

    select
        saved.retailer,
        saved.visitor_id,
        saved.crm_id,
        saved.first_seen_at,
        saved.last_seen_at,
        saved.observations
    from {{ this }} as saved
    inner join touched
        on
            saved.retailer = touched.retailer
            and saved.visitor_id = touched.visitor_id
    where not exists (
        select 1 from exploded
        where
            exploded.retailer = saved.retailer
            and exploded.visitor_id = saved.visitor_id
            and exploded.period_number = saved.period_number
    )

),

-- the observations of the periods split open, as they are now
reread as (

    select
        observations.retailer,
        observations.visitor_id,
        observations.crm_id,
        observations.observed_at as first_seen_at,
        observations.observed_at as last_seen_at,
        1 as observations
    from {{ ref('int_identity_observations') }} as observations
    inner join exploded
        on
            observations.retailer = exploded.retailer
            and observations.visitor_id = exploded.visitor_id
            and observations.observed_at between exploded.first_seen_at and exploded.last_seen_at
    where observations.observed_date >= cast({{ read_from }} as date)

),

elements as (

    select * from kept_periods
    union all
    select * from reread
    union all
    select
        added.retailer,
        added.visitor_id,
        added.crm_id,
        added.observed_at as first_seen_at,
        added.observed_at as last_seen_at,
        1 as observations
    from added
    where not exists (
        select 1 from exploded
        where
            exploded.retailer = added.retailer
            and exploded.visitor_id = added.visitor_id
            and added.observed_at between exploded.first_seen_at and exploded.last_seen_at
    )

),
{%- else %}

elements as (

    select
        retailer,
        visitor_id,
        crm_id,
        observed_at as first_seen_at,
        observed_at as last_seen_at,
        1 as observations
    from {{ ref('int_identity_observations') }}

),
{%- endif %}

sequenced as (

    select
        retailer,
        visitor_id,
        crm_id,
        first_seen_at,
        last_seen_at,
        observations,
        case
            when
                lag(crm_id) over (
                    partition by retailer, visitor_id
                    order by first_seen_at, crm_id
                ) = crm_id
                then 0
            else 1
        end as is_new_period
    from elements

),

numbered as (

    select
        *,
        sum(is_new_period) over (
            partition by retailer, visitor_id
            order by first_seen_at, crm_id
            rows between unbounded preceding and current row
        ) as period_number
    from sequenced

),

periods as (

    select
        retailer,
        visitor_id,
        period_number,
        min(crm_id) as crm_id,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at,
        sum(observations) as observations
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

),

identities as (

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
        last_seen_at,
        {{ changes_load_id() }} as _changes_load_id
    from bounded

){% if is_incremental() %},

regions as (

    select
        retailer,
        visitor_id,
        cast(null as {{ dbt.type_timestamp() }}) as region_from
    from touched

){% endif %}

{{ with_regions('identities', 'regions') }}
