{% macro channel_group(source, medium, campaign, referrer_host, landing_host) %}
{#-
    The marketing channel of a visit, from its landing's UTM tags and
    referrer (a short version of the usual default channel groupings).
    Tagged social traffic is paid unless its medium says organic (ads
    platforms tag funnel stages like acquisition / retargeting as the
    medium); other tagged traffic goes by medium, then source; untagged
    traffic from a search engine is organic search, from another site
    referral, and otherwise direct. Arguments are SQL expressions; source
    and medium are compared lower-cased.
-#}
    {%- set src = "lower(coalesce(" ~ source ~ ", ''))" -%}
    {%- set med = "lower(coalesce(" ~ medium ~ ", ''))" -%}
    {%- set social = "('facebook', 'fb', 'instagram', 'ig', 'igshopping', 'an', 'meta', 'tiktok', 'pinterest', "
                     ~ "'snapchat', 'twitter', 'x', 'linkedin', 'reddit', 'threads')" -%}
    {%- set organic_mediums = "('', 'social', 'organic', 'social_media', 'social-media', 'social-network', 'sm')" -%}
    case
        when {{ src }} in {{ social }} and {{ med }} in {{ organic_mediums }} then 'organic_social'
        when {{ src }} in {{ social }} or {{ med }} in ('paid_social', 'paidsocial', 'social_paid', 'social-paid')
            then 'paid_social'
        when {{ med }} in ('cpc', 'ppc', 'paid_search', 'paidsearch', 'sem') then 'paid_search'
        when {{ med }} in ('display', 'banner', 'cpm', 'programmatic') then 'display'
        when {{ med }} = 'affiliate' then 'affiliate'
        {#- GA4 (and Universal Analytics before it) tag visits from other sites with medium referral -#}
        when {{ med }} = 'referral' then 'referral'
        when {{ med }} = 'email' or {{ src }} in ('email', 'newsletter') then 'email'
        when {{ med }} = 'sms' or {{ src }} = 'sms' then 'sms'
        when {{ med }} in ('social', 'social_media', 'social-media', 'social-network') then 'organic_social'
        when {{ med }} = 'organic' then 'organic_search'
        when {{ src }} != '' or {{ med }} != '' or {{ campaign }} is not null then 'other_campaign'
        when {{ referrer_host }} is null or {{ referrer_host }} = {{ landing_host }} then 'direct'
        when {{ contains_pattern(referrer_host, '(^|[.])(google|bing|yahoo|duckduckgo|baidu|yandex|ecosia|qwant)[.]') }}
            then 'organic_search'
        else 'referral'
    end
{%- endmacro %}
