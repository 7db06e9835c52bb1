{#- Built only when a GA4 source exists (vars.staging_models.ga4_events lists its staging model). -#}
{{ config(enabled=(var('staging_models', {}).get('ga4_events') or []) | length > 0) }}

{{ union_staging('ga4_events') }}
