-- sqlfluff:indentation:template_blocks_indent:False
{#-
    One row per visit (session): when it started and ended, who (visitor id,
    the CRM id seen in it) and where it came from. A retailer's own session
    id holds its page views together, unless they are more than
    session_id_max_gap_hours apart (a session id used again days later is
    another visit); page views sent without one are cut into visits after
    session_timeout_minutes of inactivity of the same visitor id. Campaign
    and channel are those of the landing page view: its UTM columns, or else
    the utm_* parameters of its URL (many retailers send only the landing
    URL).

    Incremental by visitor (DECISIONLOG "Visitor models rebuild regions"): a
    visitor id with changed page views since `changed_from` (the earliest
    time, new or replaced, of its changes) gets rebuilt the visits that
    start at or after changed_from and the saved ones that end within the
    gap before it (a late page view extends or merges those, and nothing
    earlier). Visits before changed_from keep their number; the others are
    numbered after them: the visitor id's visits so far are its latest
    visit's number (is_latest_visit), less its visits from changed_from on.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='replace_regions',
        unique_key='session_key',
        meta={'regions': {'by': ['retailer', 'visitor_id'], 'from': 'started_at'}, 'test_scope': '_changes_load_id'},
        post_hook=["{{ mark_latest_visits() }}", "{{ record_visitor_watermark() }}"],
    )
}}
{%- set timeout = var('session_timeout_minutes') -%}
{%- set max_gap = var('session_id_max_gap_hours') -%}
{%- if is_incremental() -%}
{%- set changed_from = visitor_changes_start(['page_view']) -%}
{#- saved visits the changes can reach end within the longer of the two gaps before them -#}
{%- set reach = [timeout, max_gap * 60] | max -%}
{%- set reached_from = 'null' if not changed_from else dbt.dateadd('minute', -reach, changed_from) -%}
{#- page views are read from the start of the earliest visit that may be reached: a constant, for pruning -#}
{%- set read_from = changed_from or 'null' -%}
{%- if changed_from and execute -%}
{%- set earliest = run_query(
    "select cast(min(started_at) as " ~ api.Column.translate_type('string') ~ ") from " ~ this
    ~ " where ended_at >= " ~ reached_from ~ " and started_at < " ~ changed_from).rows[0][0] -%}
{%- if earliest is not none -%}
{%- set read_from = "cast('" ~ earliest ~ "' as " ~ api.Column.translate_type('timestamp') ~ ")" -%}
{%- endif -%}
{%- endif -%}
{%- endif -%}
{#- the numbers of the visits: after the visitor id's visits before changed_from when
    rebuilt, from 1 in a full build; and how many it has in all -#}
{%- set visit_number = 'dense_rank() over (partition by totals.retailer, totals.visitor_id '
                      ~ 'order by totals.started_at, totals.session_key)' -%}
{%- set visits_of_visitor = 'count(*) over (partition by totals.retailer, totals.visitor_id)' -%}
{%- set rebuilt_visit_number -%}
    case
        when totals.started_at < scope.changed_from then reached.visitor_session_number
        else earlier.visits + dense_rank() over (
            partition by totals.retailer, totals.visitor_id, totals.started_at < scope.changed_from
            order by totals.started_at, totals.session_key
        )
    end
{%- endset -%}
{%- set rebuilt_visits_of_visitor -%}
    earlier.visits + count(case when totals.started_at >= scope.changed_from then 1 end) over (
        partition by totals.retailer, totals.visitor_id
    )
{%- endset -%}
{%- set rebuilt_visitors -%}
    inner join scope
        on
            totals.retailer = scope.retailer
            and totals.visitor_id = scope.visitor_id
    inner join earlier
        on
            totals.retailer = earlier.retailer
            and totals.visitor_id = earlier.visitor_id
    left join reached
        on totals.session_key = reached.session_key
{%- endset %}

with
{%- if is_incremental() %}

touched as (

    select
        retailer,
        visitor_id,
        min(event_at) as changed_from
    from (
        select
            retailer,
            visitor_id,
            event_at
        from ({{ visitor_changes() }}) as changes
        where event_type = 'page_view'
        union all
        select
            retailer,
            previous_visitor_id,
            previous_event_at
        from ({{ visitor_changes() }}) as changes
        where event_type = 'page_view' and previous_visitor_id is not null
    ) as changed_page_views
    group by retailer, visitor_id

),

-- saved visits the changes can reach: still running within the gap before changed_from
reached as (

    select
        saved.session_key,
        saved.retailer,
        saved.visitor_id,
        saved.session_id,
        saved.is_derived_session,
        saved.visitor_session_number,
        saved.started_at
    from {{ this }} as saved
    inner join touched
        on
            saved.retailer = touched.retailer
            and saved.visitor_id = touched.visitor_id
            and saved.ended_at >= {{ dbt.dateadd('minute', -reach, 'touched.changed_from') }}
            and saved.started_at < touched.changed_from
    where saved.ended_at >= {{ reached_from }}

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

-- the visitor id's saved visits from changed_from on
later_visits as (

    select
        saved.retailer,
        saved.visitor_id,
        count(*) as visits
    from {{ this }} as saved
    inner join touched
        on
            saved.retailer = touched.retailer
            and saved.visitor_id = touched.visitor_id
            and saved.started_at >= touched.changed_from
    where saved.started_at >= {{ changed_from or 'null' }}
    group by saved.retailer, saved.visitor_id

),

-- the visitor id's visits before changed_from: its visits so far (its latest visit's number) less the later ones
earlier as (

    select
        touched.retailer,
        touched.visitor_id,
        coalesce(max(latest.visitor_session_number), 0) - coalesce(max(later_visits.visits), 0) as visits
    from touched
    left join {{ this }} as latest
        on
            touched.retailer = latest.retailer
            and touched.visitor_id = latest.visitor_id
            and latest.is_latest_visit
    left join later_visits
        on
            touched.retailer = later_visits.retailer
            and touched.visitor_id = later_visits.visitor_id
    group by touched.retailer, touched.visitor_id

),

{# the page views of the rebuilt visits: derived ones from the first reached
    derived visit on; sent ones from changed_from on, and those of a reached
    visit's session id from that visit's start #}
page_views as (

    select
        delivered.page_view_id,
        delivered.retailer,
        delivered.visitor_id,
        delivered.crm_id,
        delivered.session_id,
        delivered.viewed_at
    from {{ ref('fct_page_views') }} as delivered
    inner join scope
        on
            delivered.retailer = scope.retailer
            and delivered.visitor_id = scope.visitor_id
            and delivered.viewed_at >= scope.read_from
    where
        delivered.viewed_at >= {{ read_from }}
        and (
            (delivered.session_id is null and delivered.viewed_at >= scope.derived_from)
            or (delivered.session_id is not null and delivered.viewed_at >= scope.changed_from)
            or exists (
                select 1 from reached
                where
                    not reached.is_derived_session
                    and reached.retailer = delivered.retailer
                    and reached.visitor_id = delivered.visitor_id
                    and reached.session_id = delivered.session_id
                    and delivered.viewed_at >= reached.started_at
            )
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

-- a new visit after the timeout without a session id, after the longest gap with one
breaks as (

    select
        page_view_id,
        retailer,
        visitor_id,
        session_id,
        viewed_at,
        case
            when previous_viewed_at is null then 1
            when session_id is null and viewed_at > {{ dbt.dateadd('minute', timeout, 'previous_viewed_at') }} then 1
            when session_id is not null and viewed_at > {{ dbt.dateadd('hour', max_gap, 'previous_viewed_at') }} then 1
            else 0
        end as is_visit_start
    from (
        select
            *,
            lag(viewed_at) over (
                partition by retailer, visitor_id, coalesce(session_id, '')
                order by viewed_at, page_view_id
            ) as previous_viewed_at
        from page_views
    ) as sequenced

),

visits as (

    select
        page_view_id,
        retailer,
        visitor_id,
        session_id,
        viewed_at,
        sum(is_visit_start) over (
            partition by retailer, visitor_id, coalesce(session_id, '')
            order by viewed_at, page_view_id
            rows between unbounded preceding and current row
        ) as visit_number
    from breaks

),

keyed as (

    select
        page_views.page_view_id,
        page_views.retailer,
        page_views.visitor_id,
        page_views.crm_id,
        page_views.session_id,
        page_views.viewed_at,
        {{ session_key(
            'page_views.retailer', 'page_views.visitor_id', 'page_views.session_id',
            'min(visits.viewed_at) over (partition by visits.retailer, visits.visitor_id, '
            ~ "coalesce(visits.session_id, ''), visits.visit_number)"
        ) }} as session_key
    from page_views
    inner join visits
        on page_views.page_view_id = visits.page_view_id

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

{# the landing page views, read where they are saved (the wide columns of
    the first page view of each visit only) #}
landings as (

    select
        keyed.session_key,
        landed.page_url as landing_page_url,
        landed.referrer_url,
        coalesce(landed.utm_source, {{ url_parameter('landed.page_url', 'utm_source') }}) as utm_source,
        coalesce(landed.utm_medium, {{ url_parameter('landed.page_url', 'utm_medium') }}) as utm_medium,
        coalesce(landed.utm_campaign, {{ url_parameter('landed.page_url', 'utm_campaign') }}) as utm_campaign,
        coalesce(landed.utm_term, {{ url_parameter('landed.page_url', 'utm_term') }}) as utm_term,
        coalesce(landed.utm_content, {{ url_parameter('landed.page_url', 'utm_content') }}) as utm_content,
        coalesce(landed.campaign_id, {{ url_parameter('landed.page_url', 'utm_id') }}) as campaign_id,
        {{ url_host('landed.referrer_url') }} as referrer_host,
        {{ url_host('landed.page_url') }} as landing_host,
        landed.platform,
        landed.device_type,
        landed.user_agent
    from {{ ref('fct_page_views') }} as landed
    inner join keyed
        on landed.page_view_id = keyed.page_view_id
    where
    {% if is_incremental() %}
        landed.viewed_at >= {{ read_from }} and
    {% endif %}
        landed.page_view_id in (
            select first_views.page_view_id from first_views
            where first_views.view_number = 1
        )

),

numbered as (

    select
        totals.session_key,
        -- the visitor id's 1st, 2nd... visit: how far the id persists
        {{ rebuilt_visit_number if is_incremental() else visit_number }} as visitor_session_number,
        {{ rebuilt_visits_of_visitor if is_incremental() else visits_of_visitor }} as visits_of_visitor
    from totals
    {{ rebuilt_visitors if is_incremental() }}

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
        numbered.visitor_session_number = numbered.visits_of_visitor as is_latest_visit,
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
