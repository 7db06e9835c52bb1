{% macro ga4_traffic_field(field) %}
{#-
    A page view's utm_<field> (source, medium, campaign, term, content) from
    the GA4 event, taken whole from the first of: the event's own parameters
    (source, medium, campaign... GA4 sets them on a session's first events),
    then collected_traffic_source (the utm_ tags collected with the event,
    exports from 2023), then, on the visitor's first session only
    (ga_session_number = 1), traffic_source: GA4 documents it as the source
    that first acquired the user, so on later sessions it is not theirs.
    Values are never mixed between those three; placeholders like (direct)
    or (none) are no value. Reads the columns of stg_<retailer>__<ga4 dataset>.
-#}
    {%- set groups = [
        {'source': 'event_source', 'medium': 'event_medium', 'campaign': 'event_campaign', 'term': 'event_term', 'content': 'event_content'},
        {'source': 'collected_source', 'medium': 'collected_medium', 'campaign': 'collected_campaign', 'term': 'collected_term', 'content': 'collected_content'},
        {'source': 'first_user_source', 'medium': 'first_user_medium', 'campaign': 'first_user_campaign'},
    ] -%}
    case
        {%- for group in groups %}
        {%- set present = [] -%}
        {%- for name in group.values() -%}
            {%- do present.append(ga4_value(name) ~ ' is not null') -%}
        {%- endfor %}
        when {% if loop.last %}ga_session_number = 1 and {% endif %}({{ present | join(' or ') }})
            then {{ ga4_value(group[field]) if field in group else 'cast(null as ' ~ dbt.type_string() ~ ')' }}
        {%- endfor %}
    end
{%- endmacro %}
