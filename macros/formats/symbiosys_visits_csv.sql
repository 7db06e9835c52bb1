{% macro symbiosys_visits_csv() %}
{#-
    Symbiosys "file dump" of page views (vendor-specs 000 and 001).
    The vendor points to an Event API reference for the fields; this is the
    schema we defined from it (docs: models/docs/formats.md).
    The loader reads the YAML below too (loaders/formats.py): keep it plain
    YAML between the set / endset lines, with no Jinja inside.
-#}
{% set spec %}
name: symbiosys_visits_csv
entity: page_views
vendor: Symbiosys file dump (visits)
file:
  delimiters: [",", "\t"]
  header: true
  quote: '"'
  encoding: utf-8
  # <retailer>_visits_YYYYMMDD.csv, or hourly (spec 000: "uploaded hourly or at least once daily"):
  # <retailer>_visits_YYYYMMDDHH.csv, _YYYYMMDD_HH, _YYYYMMDDTHH or _YYYYMMDD-HH
  file_date: {regex: '_visits_(?P<date>\d{8})(?:[_T-]?(?P<hour>\d{2}))?\.', format: '%Y%m%d'}
columns:
  - {source: event_id, name: event_id, type: string, description: "Retailer's id of the event, when it has one."}
  - {source: visitor_id, name: visitor_id, type: string, required: true, description: "First-party visitor (cookie / device) id."}
  - {source: crm_id, name: crm_id, type: string, pii: email, id_type: crm_id, description: "Retailer's CRM id of the logged-in user; one that is an e-mail address is stored as its SHA-256 (trimmed, lower-cased), hashed at landing."}
  - {source: session_id, name: session_id, type: string, description: "Session id as sent by the retailer."}
  - {source: event_type, name: event_type, type: string, default: page_view, accepted: [page_view, click], description: "page_view or click; page_view when empty."}
  - {source: url, name: page_url, type: string, required: true, description: "Full URL of the page viewed."}
  - {source: referrer, name: referrer_url, type: string, description: "Referring URL."}
  - {source: utm_source, name: utm_source, type: string, description: "utm_source of the landing URL."}
  - {source: utm_medium, name: utm_medium, type: string, description: "utm_medium of the landing URL."}
  - {source: utm_campaign, name: utm_campaign, type: string, description: "utm_campaign of the landing URL."}
  - {source: utm_term, name: utm_term, type: string, description: "utm_term of the landing URL."}
  - {source: utm_content, name: utm_content, type: string, description: "utm_content of the landing URL."}
  - {source: campaign_id, name: campaign_id, type: string, description: "Ad platform campaign id, when known."}
  - {source: platform, name: platform, type: string, default: web, accepted: [web, app], description: "web or app; web when empty."}
  - {source: device_type, name: device_type, type: string, description: "desktop, mobile, tablet..."}
  - {source: user_agent, name: user_agent, type: string, description: "Browser user agent."}
  - {source: event_time, name: viewed_at, type: timestamp, required: true, description: "When the page was viewed, ISO-8601, converted to UTC."}
{% endset %}
{{ return(fromyaml(spec)) }}
{% endmacro %}
