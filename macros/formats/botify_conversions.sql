{% macro botify_conversions() %}
{#-
    Daily conversion data from a custom warehouse (vendor spec 002): one file a
    day, its date in its name, every row of that date; CSV without a header and
    any separator (the vendor's own example uses ", "), or JSON rows. A source
    whose CSV holds other fields, or in another order, lists them in
    meta.loader.file.columns; defaults for missing optional fields go in
    meta.loader.defaults (e.g. channel: organic). Read by the loader too:
    plain YAML only.
-#}
{% set spec %}
name: botify_conversions
entity: conversions
vendor: Botify conversion data from a custom warehouse
file:
  layouts: [delimited, json_lines]
  # JSON rows as the vendor's own example writes them ("Example of a valid row
  # file": {'url': 'https://domain.tld', ...}, {'url': ...},): single quotes,
  # a comma after each object, several on a line. Other formats read strict JSON lines.
  json_syntax: json5_rows
  delimiters: [",", ", ", "\t", ";", "|"]
  header: false
  quote: '"'
  encoding: utf-8
  # the vendor's example: URL, date, channel, # transactions, revenue
  columns: [url, date, channel, transactions, revenue]
  # conversion-export-2020-09-22.csv: exactly one date, and every row's date equals it
  file_date: {regex: '(\d{4}-\d{2}-\d{2})', format: '%Y-%m-%d'}
  rows_match_file_date: conversion_date
  # "one file daily" and "Each filename must be unique and contain the date": a second
  # file for a date replaces the first in fct_conversions, and the loader warns about it
  one_file_per_date: true
# one row per URL x channel x device in a daily report (a repeat means mixed reports: warned)
row_key: [page_url, conversion_date, channel, device]
columns:
  - {source: url, name: page_url, type: url, required: true, default_protocol: https, description: "Complete URL of the page (protocol, domain, path). Without a protocol it takes the source's default_protocol (https unless the source sets another); a path without a domain is rejected."}
  - {source: date, name: conversion_date, type: date, format: YYYY-MM-DD, required: true, description: "Day of the conversions, strictly YYYY-MM-DD; must be the date in the file name."}
  - {source: channel, name: channel, type: string, description: "Where the transactions originated (organic, social...); the source's default when missing."}
  - {source: device, name: device, type: string, description: "Device of the transactions (desktop, mobile, app...); the source's default when missing."}
  - {source: transactions, name: transactions, type: integer, description: "Number of transactions or goals met (a whole number)."}
  - {source: revenue, name: revenue, type: number, description: "Revenue of these transactions, in the retailer's currency."}
{% endset %}
{{ return(fromyaml(spec)) }}
{% endmacro %}
