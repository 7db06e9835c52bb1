{#-
    One row per visit (session): when it started and ended, who (visitor id,
    the CRM id seen in it) and where it came from. A retailer's own session
    id is kept as it is; page views sent without one are cut into sessions
    after session_timeout_minutes of inactivity of the same visitor id.
    Campaign and channel are those of the landing page view: its UTM
    columns, or else the utm_* parameters of its URL (many retailers send
    only the landing URL).

    Incremental by visitor (DECISIONLOG "Visitor models rebuild regions"): a
    visitor id with changed page views since `changed_from` (the earliest
    time, new or replaced, of its changes) gets rebuilt its visits that start
    at or after changed_from, and the visits the changes can reach that
    start before it: those still running within the timeout of changed_from
    (a late page view extends or merges them) and those of a sent session id
    that changed. Visits before changed_from keep their number; the others
    are numbered after them.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='replace_regions',
        unique_key='session_key',
        meta={'regions': {'by': ['retailer', 'visitor_id'], 'from': 'started_at'}, 'test_scope': '_changes_load_id'},
        post_hook="{{ record_visitor_watermark() }}",
    )
}}
{%- set timeout = var('session_timeout_minutes') -%}
{%- if is_incremental() -%}
    {%- set changed_from = visitor_changes_start(['page_view']) -%}
    {%- set sent_key = session_key('retailer', 'visitor_id', 'session_id', 'null') -%}
    {%- set changes_sql -%}
        select retailer, visitor_id, session_id, event_at from ({{ visitor_changes() }}) as changes
        where event_type = 'page_view'
        union all
        select retailer, previous_visitor_id, previous_session_id, previous_event_at from ({{ visitor_changes() }}) as changes
        where event_type = 'page_view' and previous_visitor_id is not null
    {%- endset -%}
    {#- Page views are read from the earliest visit the changes can reach: a
        constant, so old row groups / partitions are skipped. -#}
    {%- set read_from = changed_from -%}
    {%- if changed_from and execute -%}
        {%- set earliest = run_query(
            "select cast(min(started_at) as " ~ api.Column.translate_type('string') ~ ") from " ~ this
            ~ " where started_at < " ~ changed_from ~ " and (ended_at >= "
            ~ dbt.dateadd('minute', -timeout, changed_from)
            ~ " or session_key in (select " ~ sent_key ~ " from (" ~ changes_sql ~ ") as changed where session_id is not null))"
        ).rows[0][0] -%}
        {%- if earliest is not none -%}
            {%- set read_from = "cast('" ~ earliest ~ "' as " ~ api.Column.translate_type('timestamp') ~ ")" -%}
        {%- endif -%}
    {%- endif -%}
{%- endif %}

with
{%- if is_incremental() %}

changed_events as (
    {{ changes_sql }}
),

touched as (

    select
        retailer,
        visitor_id,
        min(event_at) as changed_from
    from changed_events
    group by retailer, visitor_id

),

changed_session_keys as (

    select distinct {{ sent_key }} as session_key
    from changed_events
    where session_id is not null

),

-- stored visits the changes can reach that start before changed_from
reached as (

    select
        stored.session_key,
        stored.retailer,
        stored.visitor_id,
        stored.is_derived_session,
        stored.visitor_session_number,
        stored.started_at
    from {{ this }} as stored
    inner join touched
        on
            stored.retailer = touched.retailer
            and stored.visitor_id = touched.visitor_id
            and stored.started_at < touched.changed_from
    where
        stored.started_at >= {{ read_from or 'null' }}
        and (
            stored.ended_at >= {{ dbt.dateadd('minute', -timeout, 'touched.changed_from') }}
            or stored.session_key in (select changed_session_keys.session_key from changed_session_keys)
        )

),

scope as (

    select
        touched.retailer,
        touched.visitor_id,
        touched.changed_from,
        least(touched.changed_from, coalesce(min(reached.started_at), touched.changed_from)) as read_from,
        least(
            touched.changed_from,
            coalesce(min(case when reached.is_derived_session then reached.started_at end), touched.changed_from)
        ) as derived_from
    from touched
    left join reached
        on
            touched.retailer = reached.retailer
            and touched.visitor_id = reached.visitor_id
    group by touched.retailer, touched.visitor_id, touched.changed_from

),

sent_session_keys as (

    select session_key from changed_session_keys
    union all
    select session_key from reached
    where not is_derived_session

),

-- visits of the visitor id before changed_from: the rebuilt ones are numbered after them
earlier as (

    select
        stored.retailer,
        stored.visitor_id,
        count(*) as visits
    from {{ this }} as stored
    inner join touched
        on
            stored.retailer = touched.retailer
            and stored.visitor_id = touched.visitor_id
            and stored.started_at < touched.changed_from
    group by stored.retailer, stored.visitor_id

),

{#- the page views of the rebuilt visits: derived ones from the first
    reached derived visit on, sent ones from changed_from on and those of the
    reached or changed session ids -#}
page_views as (

    select
        page_views.page_view_id,
        page_views.retailer,
        page_views.visitor_id,
        page_views.crm_id,
        page_views.session_id,
        page_views.viewed_at
    from {{ ref('fct_page_views') }} as page_views
    inner join scope
        on
            page_views.retailer = scope.retailer
            and page_views.visitor_id = scope.visitor_id
            and page_views.viewed_at >= scope.read_from
    where
        page_views.viewed_at >= {{ read_from or 'null' }}
        and (
            (page_views.session_id is null and page_views.viewed_at >= scope.derived_from)
            or (page_views.session_id is not null and page_views.viewed_at >= scope.changed_from)
            or {{ session_key('page_views.retailer', 'page_views.visitor_id', 'page_views.session_id', 'null') }}
            in (select sent_session_keys.session_key from sent_session_keys)
        )

),
{%- else %}

page_views as (

    select
        page_view_id,
        retailer,
        visitor_id,
        crm_id,
        session_id,
        viewed_at
    from {{ ref('fct_page_views') }}

),
{%- endif %}

-- page views without a session id: a new visit after the timeout
unsessioned as (

    select
        page_view_id,
        retailer,
        visitor_id,
        viewed_at,
        case
            when
                lag(viewed_at) over (partition by retailer, visitor_id order by viewed_at, page_view_id) is null
                or viewed_at > {{ dbt.dateadd('minute', timeout, 'lag(viewed_at) over (partition by retailer, visitor_id order by viewed_at, page_view_id)') }}
                then 1
            else 0
        end as is_visit_start
    from page_views
    where session_id is null

),

derived_visits as (

    select
        page_view_id,
        retailer,
        visitor_id,
        viewed_at,
        sum(is_visit_start) over (
            partition by retailer, visitor_id
            order by viewed_at, page_view_id
            rows between unbounded preceding and current row
        ) as derived_visit_number
    from unsessioned

),

derived as (

    select
        page_view_id,
        min(viewed_at) over (partition by retailer, visitor_id, derived_visit_number) as derived_started_at
    from derived_visits

),

keyed as (

    select
        page_views.page_view_id,
        page_views.retailer,
        page_views.visitor_id,
        page_views.crm_id,
        page_views.session_id,
        page_views.viewed_at,
        {{ session_key('page_views.retailer', 'page_views.visitor_id', 'page_views.session_id', 'derived.derived_started_at') }}
            as session_key
    from page_views
    left join derived
        on page_views.page_view_id = derived.page_view_id

),

totals as (

    select
        session_key,
        retailer,
        visitor_id,
        min(session_id) as session_id,
        count(*) as page_views,
        count(distinct crm_id) as crm_ids,
        min(viewed_at) as started_at,
        max(viewed_at) as ended_at
    from keyed
    group by session_key, retailer, visitor_id

),

first_views as (

    select
        page_view_id,
        row_number() over (partition by session_key order by viewed_at, page_view_id) as view_number
    from keyed

),

logins as (

    -- the first CRM id seen in the session: a visitor who logs in mid-visit
    select
        session_key,
        crm_id,
        row_number() over (partition by session_key order by viewed_at, page_view_id) as login_number
    from keyed
    where crm_id is not null

),

{#- the landing page views, read where they are stored (the wide columns of
    the first page view of each visit only) -#}
landings as (

    select
        keyed.session_key,
        page_views.page_url as landing_page_url,
        page_views.referrer_url,
        coalesce(page_views.utm_source, {{ url_parameter('page_views.page_url', 'utm_source') }}) as utm_source,
        coalesce(page_views.utm_medium, {{ url_parameter('page_views.page_url', 'utm_medium') }}) as utm_medium,
        coalesce(page_views.utm_campaign, {{ url_parameter('page_views.page_url', 'utm_campaign') }}) as utm_campaign,
        coalesce(page_views.utm_term, {{ url_parameter('page_views.page_url', 'utm_term') }}) as utm_term,
        coalesce(page_views.utm_content, {{ url_parameter('page_views.page_url', 'utm_content') }}) as utm_content,
        coalesce(page_views.campaign_id, {{ url_parameter('page_views.page_url', 'utm_id') }}) as campaign_id,
        {{ url_host('page_views.referrer_url') }} as referrer_host,
        {{ url_host('page_views.page_url') }} as landing_host,
        page_views.platform,
        page_views.device_type,
        page_views.user_agent
    from {{ ref('fct_page_views') }} as page_views
    inner join keyed
        on page_views.page_view_id = keyed.page_view_id
    where
        {%- if is_incremental() %}
        page_views.viewed_at >= {{ read_from or 'null' }} and
        {%- endif %}
        page_views.page_view_id in (
            select first_views.page_view_id from first_views
            where first_views.view_number = 1
        )

),

numbered as (

    select
        totals.session_key,
        {%- if is_incremental() %}
        case
            when totals.started_at < scope.changed_from then reached.visitor_session_number
            else coalesce(earlier.visits, 0) + dense_rank() over (
                partition by totals.retailer, totals.visitor_id, totals.started_at < scope.changed_from
                order by totals.started_at, totals.session_key
            )
        end as visitor_session_number
        {%- else %}
        -- the visitor id's 1st, 2nd... visit: how far the id persists
        dense_rank() over (
            partition by totals.retailer, totals.visitor_id
            order by totals.started_at, totals.session_key
        ) as visitor_session_number
        {%- endif %}
    from totals
    {%- if is_incremental() %}
    inner join scope
        on
            totals.retailer = scope.retailer
            and totals.visitor_id = scope.visitor_id
    left join reached
        on totals.session_key = reached.session_key
    left join earlier
        on
            totals.retailer = earlier.retailer
            and totals.visitor_id = earlier.visitor_id
    {%- endif %}

),

sessions as (

    select
        totals.session_key,
        totals.retailer,
        totals.visitor_id,
        logins.crm_id,
        totals.session_id,
        landings.campaign_id,
        {{ channel_group(
            'landings.utm_source', 'landings.utm_medium', 'landings.utm_campaign',
            'landings.referrer_host', 'landings.landing_host'
        ) }} as channel,
        landings.utm_source,
        landings.utm_medium,
        landings.utm_campaign,
        landings.utm_term,
        landings.utm_content,
        landings.landing_page_url,
        landings.referrer_url,
        landings.platform,
        landings.device_type,
        landings.user_agent,
        numbered.visitor_session_number,
        totals.page_views,
        totals.crm_ids,
        totals.session_id is null as is_derived_session,
        cast(totals.started_at as date) as started_date,
        totals.started_at,
        totals.ended_at,
        {{ changes_load_id() }} as _changes_load_id
    from totals
    inner join landings
        on totals.session_key = landings.session_key
    inner join numbered
        on totals.session_key = numbered.session_key
    left join logins
        on
            totals.session_key = logins.session_key
            and logins.login_number = 1

){% if is_incremental() %},

regions as (

    select
        retailer,
        visitor_id,
        changed_from as region_from
    from scope

){% endif %}

{{ with_regions('sessions', 'regions') }}
