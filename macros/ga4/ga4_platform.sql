{% macro ga4_platform(platform) %}
{#- GA4's platform (WEB, IOS, ANDROID) as the page views' and orders' platform: web or app. -#}
    case upper({{ platform }}) when 'WEB' then 'web' when 'IOS' then 'app' when 'ANDROID' then 'app' end
{%- endmacro %}
