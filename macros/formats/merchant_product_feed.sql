{% macro merchant_product_feed() %}
{#-
    A product feed with Google Merchant Center attribute names (vendor spec
    003 "Product Data"): CSV, TSV or JSON lines with a header, one product per
    row. A feed with other names maps them per source
    (meta.loader.columns.<column>.source; names match case-insensitively).
    Prices like `15.00 USD`, `AED 15` or `352 AED` give the number and the
    currency; a feed without currencies sets one per source
    (meta.loader.defaults.currency_code). Read by the loader too: plain YAML
    only.
-#}
{% set spec %}
name: merchant_product_feed
entity: products
vendor: Product feed (Google Merchant Center attributes)
file:
  layouts: [delimited, json_lines]
  delimiters: ["\t", ",", ";", "|"]
  header: true
  quote: '"'
  encoding: utf-8
columns:
  - {source: id, name: product_id, type: string, required: true, description: "Product id."}
  - {source: item_group_id, name: item_group_id, type: string, description: "Group of variants the product belongs to."}
  - {source: sku, name: sku, type: string, description: "SKU."}
  - {source: gtin, name: gtin, type: string, description: "GTIN / EAN / UPC."}
  - {source: mpn, name: mpn, type: string, description: "Manufacturer part number."}
  - {source: title, name: title, type: string, required: true, description: "Product title."}
  - {source: description, name: description, type: string, description: "Product description."}
  - {source: brand, name: brand, type: string, description: "Brand."}
  - {source: google_product_category, name: category, type: string, description: "Product category."}
  - {source: product_type, name: product_type, type: string, description: "The retailer's own product type."}
  - {source: availability, name: availability, type: string, accepted: [in stock, out of stock, preorder, backorder, in_stock, out_of_stock], description: "Stock availability."}
  - {source: condition, name: condition, type: string, description: "Condition (new, used, refurbished)."}
  - {source: null, name: status, type: string, description: "Publication status (not in this format)."}
  - {source: link, name: product_url, type: url, description: "Product page URL."}
  - {source: image_link, name: image_url, type: url, description: "Main image URL."}
  - {source: price, name: currency_code, type: string, extract: '([A-Z]{3})', description: "Currency of the prices: the code written with the price, else the source's default."}
  - {source: price, name: price, type: number, required: true, extract: '([0-9]+(?:[.][0-9]+)?)', description: "Regular price, without its currency."}
  - {source: sale_price, name: sale_price, type: number, extract: '([0-9]+(?:[.][0-9]+)?)', description: "Sale price, without its currency."}
{% endset %}
{{ return(fromyaml(spec)) }}
{% endmacro %}
