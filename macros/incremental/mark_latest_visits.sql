{% macro mark_latest_visits() %}
{#-
    Post-hook of int_sessions, in its transaction: is_latest_visit stays
    true on exactly one visit per visitor id, its highest-numbered one (the
    number of visits so far, which the next build numbers after). A build
    that wrote a newer latest visit clears the flag of the old one, wherever
    it is; a visitor id whose latest visit vanished (its page views
    re-delivered under another visitor id) gets it on its highest-numbered
    remaining visit, found by reading that visitor id's visits, the rare
    case that costs history (a visitor id left with no visit gets none).
-#}
    {%- if not is_incremental() -%}
        {{ return('') }}
    {%- endif -%}
    {%- set orphans_sql -%}
        select distinct changed.retailer, changed.visitor_id
        from (
            select retailer, visitor_id from ({{ visitor_changes() }}) as changes where event_type = 'page_view'
            union all
            select retailer, previous_visitor_id from ({{ visitor_changes() }}) as changes
            where event_type = 'page_view' and previous_visitor_id is not null
        ) as changed
        where
            not exists (
                select 1 from {{ this }} as latest
                where latest.is_latest_visit and latest.retailer = changed.retailer and latest.visitor_id = changed.visitor_id
            )
    {%- endset -%}
    {%- set orphans = execute and run_query('select count(*) from (' ~ orphans_sql ~ ') as orphans').rows[0][0] > 0 %}
    merge into {{ this }} as sessions
    using (
        select stale.session_key, false as is_latest_visit
        from {{ this }} as stale
        inner join {{ this }} as written
            on
                stale.retailer = written.retailer
                and stale.visitor_id = written.visitor_id
                and written.is_latest_visit
                and written._changes_load_id = {{ changes_load_id() }}
                and stale.session_key != written.session_key
        where stale.is_latest_visit
        {%- if orphans %}
        union all
        select visits.session_key, true as is_latest_visit
        from {{ this }} as visits
        inner join (
            select numbered.retailer, numbered.visitor_id, max(numbered.visitor_session_number) as visits
            from {{ this }} as numbered
            inner join ({{ orphans_sql }}) as orphans
                on numbered.retailer = orphans.retailer and numbered.visitor_id = orphans.visitor_id
            group by numbered.retailer, numbered.visitor_id
        ) as highest
            on
                visits.retailer = highest.retailer
                and visits.visitor_id = highest.visitor_id
                and visits.visitor_session_number = highest.visits
        {%- endif %}
    ) as fixes
    on sessions.session_key = fixes.session_key
    when matched then update set is_latest_visit = fixes.is_latest_visit
{% endmacro %}
