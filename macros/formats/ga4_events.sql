{% macro ga4_events() %}
{#-
    The Google Analytics 4 BigQuery export (vendor spec 001: "[Preferred]
    BigQuery Transfer – Send data directly from your data warehouse (or via
    GA4)"): one record per event, as in the export's daily tables
    `events_YYYYMMDD` (and `events_intraday_YYYYMMDD`). Delivered as export
    files (EXPORT DATA / bq extract: Parquet or newline-delimited JSON, gzip
    or not, one or many files per day, `events_YYYYMMDD` in the name or a
    folder of the path), or read in place on BigQuery (meta.loader.source:
    bigquery, README "GA4 / BigQuery export").
    Raw tables keep each top-level field as text and each nested one
    (event_params, items, device, ecommerce...) as JSON text; the columns
    below read them: `param` is the value of an event_params entry (whichever
    of string_value, int_value, double_value, float_value is set), `path` a
    field of a nested record, `epoch` a timestamp in microseconds since 1970.
    One raw table feeds several entities: this staging model (ga4_events,
    every event), the page views and the order lines models built on it
    (macros/ga4/). GA4 holds no e-mail, phone, name, address or IP field
    (Google's terms forbid sending them), so no column is marked `pii`.
    Read by the loader too (loaders/formats.py): plain YAML only.
-#}
{% set spec %}
name: ga4_events
entity: ga4_events
vendor: Google Analytics 4 BigQuery export (events_YYYYMMDD)
file:
  layouts: [nested]
  encoding: utf-8
  # events_YYYYMMDD or events_intraday_YYYYMMDD, in the file name or a folder of its path
  file_date: {regex: 'events_(?:intraday_)?(\d{8})', format: '%Y%m%d', in: path}
# The staging models one GA4 source gets (add-retailer writes them):
# <dataset> is this format's, the others are built on it.
derived_models:
  - {suffix: page_views, entity: page_views, macro: ga4_page_views}
  - {suffix: order_lines, entity: order_lines, macro: ga4_order_lines}
# The fields of each element of `items` that order lines read (ga4_order_lines).
# GA4: "quantity: if not set, quantity is set to 1"; an item needs an id or a name.
items:
  - {path: item_id, name: product_id, type: string}
  - {path: item_name, name: product_name, type: string}
  - {path: item_brand, name: brand, type: string}
  - {path: item_category, name: category, type: string}
  - {paths: [item_category2, item_category3, item_category4, item_category5], name: categories, type: list}
  - {path: price, name: unit_price, type: number}
  - {path: quantity, name: quantity, type: number, default: 1}
  - {path: item_revenue, name: line_total_amount, type: number}
  - {path: item_refund, name: line_refund_amount, type: number}
  - {path: coupon, name: line_coupon, type: string}
columns:
  - {source: user_pseudo_id, name: visitor_id, type: string, description: "GA4's pseudonymous device id (user_pseudo_id, the client id of the cookie or app instance)."}
  - {source: user_id, name: crm_id, type: string, description: "The site's own user id (user_id), sent when the user is logged in."}
  - {source: event_params, param: ga_session_id, name: ga_session_id, type: integer, description: "GA4's session id (event parameter ga_session_id): the session's start time in seconds, unique per visitor id."}
  - {source: stream_id, name: stream_id, type: string, description: "The GA4 data stream (web site or app) that sent the event."}
  - {source: event_bundle_sequence_id, name: bundle_sequence_id, type: string, description: "Sequence number of the bundle the event was uploaded in."}
  - {source: ecommerce, path: transaction_id, name: transaction_id, type: string, description: "The transaction (order) id of a purchase or refund (ecommerce.transaction_id); GA4 writes (not set) when the site sent none."}
  - {source: event_name, name: event_name, type: string, required: true, description: "GA4 event name (page_view, purchase, refund, add_to_cart...)."}
  - {source: platform, name: platform, type: string, description: "WEB, IOS or ANDROID, as GA4 sends it."}
  - {source: event_params, param: page_location, name: page_location, type: string, description: "Full URL of the page (event parameter page_location)."}
  - {source: event_params, param: page_referrer, name: page_referrer, type: string, description: "URL of the previous page or referring site (event parameter page_referrer)."}
  - {source: event_params, param: page_title, name: page_title, type: string, description: "Title of the page (event parameter page_title)."}
  - {source: event_params, param: source, name: event_source, type: string, description: "Traffic source GA4 attributed to the event's session (event parameter source, set on the session's first events)."}
  - {source: event_params, param: medium, name: event_medium, type: string, description: "Traffic medium of the event (event parameter medium)."}
  - {source: event_params, param: campaign, name: event_campaign, type: string, description: "Campaign of the event (event parameter campaign)."}
  - {source: event_params, param: term, name: event_term, type: string, description: "Campaign term of the event (event parameter term)."}
  - {source: event_params, param: content, name: event_content, type: string, description: "Campaign content of the event (event parameter content)."}
  - {source: event_params, param: gclid, name: gclid, type: string, description: "Google Ads click id of the event (event parameter gclid)."}
  - {source: collected_traffic_source, path: manual_source, name: collected_source, type: string, description: "utm_source collected with the event (collected_traffic_source.manual_source; exports from 2023)."}
  - {source: collected_traffic_source, path: manual_medium, name: collected_medium, type: string, description: "utm_medium collected with the event (collected_traffic_source.manual_medium)."}
  - {source: collected_traffic_source, path: manual_campaign_name, name: collected_campaign, type: string, description: "utm_campaign collected with the event (collected_traffic_source.manual_campaign_name)."}
  - {source: collected_traffic_source, path: manual_term, name: collected_term, type: string, description: "utm_term collected with the event (collected_traffic_source.manual_term)."}
  - {source: collected_traffic_source, path: manual_content, name: collected_content, type: string, description: "utm_content collected with the event (collected_traffic_source.manual_content)."}
  - {source: traffic_source, path: source, name: first_user_source, type: string, description: "Source that first acquired the user (traffic_source.source: user-scoped, not the event's)."}
  - {source: traffic_source, path: medium, name: first_user_medium, type: string, description: "Medium that first acquired the user (traffic_source.medium)."}
  - {source: traffic_source, path: name, name: first_user_campaign, type: string, description: "Campaign that first acquired the user (traffic_source.name)."}
  - {source: device, path: category, name: device_category, type: string, description: "desktop, mobile or tablet (device.category)."}
  - {source: device, path: operating_system, name: device_operating_system, type: string, description: "Operating system (device.operating_system)."}
  - {source: device, path: web_info.browser, name: device_browser, type: string, description: "Browser (device.web_info.browser)."}
  - {source: device, path: language, name: device_language, type: string, description: "Language setting of the device (device.language)."}
  - {source: geo, path: country, name: geo_country, type: string, description: "Country, from the IP address (geo.country; the address itself is not exported)."}
  - {source: geo, path: region, name: geo_region, type: string, description: "Region (geo.region)."}
  - {source: geo, path: city, name: geo_city, type: string, description: "City (geo.city)."}
  - {source: event_params, param: currency, name: currency_code, type: string, description: "ISO 4217 currency of the event's amounts (event parameter currency)."}
  - {source: event_params, param: coupon, name: coupon, type: string, description: "Coupon of a purchase or refund (event parameter coupon)."}
  - {source: event_params, param: payment_type, name: payment_type, type: string, description: "Payment method of the purchase (event parameter payment_type)."}
  - {source: event_params, param: shipping_tier, name: shipping_tier, type: string, description: "Shipping method of the purchase (event parameter shipping_tier)."}
  - {source: event_params, name: event_params, type: string, description: "Every event parameter, as JSON: a list of {key, value: {string_value, int_value, float_value, double_value}}."}
  - {source: user_properties, name: user_properties, type: string, description: "The user properties set with the event, as JSON (same shape as event_params, with set_timestamp_micros)."}
  - {source: items, name: items, type: string, description: "The event's items (products), as JSON: a list of {item_id, item_name, item_brand, item_category..5, price, quantity, item_revenue, item_refund, coupon...}."}
  - {source: event_params, param: ga_session_number, name: ga_session_number, type: integer, description: "How many sessions the visitor had started, this one included (event parameter ga_session_number)."}
  - {source: event_params, param: engagement_time_msec, name: engagement_time_msec, type: integer, description: "Engagement time since the previous event, in milliseconds (event parameter engagement_time_msec)."}
  - {source: event_params, param: value, name: event_value, type: number, description: "The value sent with the event (event parameter value), in its currency."}
  - {source: event_value_in_usd, name: event_value_in_usd, type: number, description: "The event's value in US dollars, converted by GA4."}
  - {source: ecommerce, path: purchase_revenue, name: purchase_revenue, type: number, description: "Revenue of a purchase in its currency (ecommerce.purchase_revenue)."}
  - {source: ecommerce, path: tax_value, name: tax_value, type: number, description: "Tax of a purchase (ecommerce.tax_value)."}
  - {source: ecommerce, path: shipping_value, name: shipping_value, type: number, description: "Shipping cost of a purchase (ecommerce.shipping_value)."}
  - {source: ecommerce, path: refund_value, name: refund_value, type: number, description: "Amount refunded by a refund event (ecommerce.refund_value)."}
  - {source: ecommerce, path: total_item_quantity, name: total_item_quantity, type: integer, description: "Number of units of the event's items (ecommerce.total_item_quantity)."}
  - {source: ecommerce, path: unique_items, name: unique_items, type: integer, description: "Number of distinct items of the event (ecommerce.unique_items)."}
  - {source: event_date, name: event_date, type: date, format: YYYYMMDD, description: "Day of the event in the GA4 property's time zone (event_date, YYYYMMDD): the export table's day."}
  - {source: event_timestamp, name: event_at, type: timestamp, epoch: microseconds, required: true, description: "When the event happened, UTC (event_timestamp, microseconds since 1970)."}
  - {source: user_first_touch_timestamp, name: user_first_touch_at, type: timestamp, epoch: microseconds, description: "When the user first opened the app or visited the site, UTC (user_first_touch_timestamp)."}
{% endset %}
{{ return(fromyaml(spec)) }}
{% endmacro %}
