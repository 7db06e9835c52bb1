{#- Built only when a GA4 source exists (vars.staging_models.ga4_events lists its staging model). -#}
{%- set members = var('staging_models', {}).get('ga4_events') or [] -%}
{{ config(enabled=members | length > 0) }}

{% if members %}{{ union_staging('ga4_events') }}{% endif %}
