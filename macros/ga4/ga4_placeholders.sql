{% macro ga4_placeholders() %}
{#-
    The texts GA4 writes where it has no value: (not set) for a parameter the
    site did not send, (none) and (direct) for a visit without source or
    medium, (organic) and (referral) as the campaign of traffic that had
    none, (data deleted) after a user deletion request. Read as missing by
    the page view and order line models (the GA4 events model keeps them).
-#}
    {{ return(['(not set)', '(none)', '(direct)', '(organic)', '(referral)', '(data deleted)']) }}
{% endmacro %}
