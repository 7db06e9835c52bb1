{% macro generic_csv() %}
{#-
    Any delimited text file with a header: lands every column as text, for a
    first look at a new retailer's delivery before its format is declared.
    Read by the loader too: plain YAML only.
-#}
{% set spec %}
name: generic_csv
entity: raw_rows
vendor: Any delimited file with a header line
file:
  delimiters: [",", "\t", ";", "|"]
  header: true
  quote: '"'
  encoding: utf-8
columns: []
{% endset %}
{{ return(fromyaml(spec)) }}
{% endmacro %}
