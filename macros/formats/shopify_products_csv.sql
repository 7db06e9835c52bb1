{% macro shopify_products_csv() %}
{#-
    Shopify's products export (Products > Export, vendor spec 003 "Product
    Data"): one product per Handle. Its first row holds the product; the rows
    after it with the same Handle add variants (sizes, colours) and images and
    leave the product fields empty (continuation rows): they take the first
    row's values. Prices carry no currency: set it per source
    (meta.loader.defaults.currency_code). Read by the loader too: plain YAML
    only.
-#}
{% set spec %}
name: shopify_products_csv
entity: products
vendor: Shopify products export
file:
  delimiters: [","]
  header: true
  quote: '"'
  encoding: utf-8
continuation_rows: {key: product_id}
columns:
  - {source: Handle, name: product_id, type: string, required: true, description: "Product id: Shopify's handle."}
  - {source: null, name: item_group_id, type: string, description: "Group of variants the product belongs to (not in this format)."}
  - {source: Variant SKU, name: sku, type: string, description: "SKU of the product's first variant."}
  - {source: Variant Barcode, name: gtin, type: string, extract: "^'?(.+)$", description: "Barcode of the first variant (GTIN / EAN), without the leading ' spreadsheets add."}
  - {source: Google Shopping / MPN, name: mpn, type: string, description: "Manufacturer part number."}
  - {source: Title, name: title, type: string, required: true, description: "Product title."}
  - {source: Body (HTML), name: description, type: string, description: "Product description (HTML)."}
  - {source: Vendor, name: brand, type: string, description: "Brand (Shopify's vendor)."}
  - {source: Product Category, name: category, type: string, description: "Product category."}
  - {source: Type, name: product_type, type: string, description: "The store's own product type."}
  - {source: null, name: availability, type: string, description: "Stock availability (not in this format)."}
  - {source: Google Shopping / Condition, name: condition, type: string, description: "Condition (new, used, refurbished)."}
  - {source: Status, name: status, type: string, accepted: [active, draft, archived], description: "Shopify status: active, draft or archived."}
  - {source: null, name: product_url, type: url, description: "Product page URL (not in this format)."}
  - {source: Image Src, name: image_url, type: url, description: "First image of the product."}
  - {source: null, name: currency_code, type: string, description: "Currency of the prices (set per source)."}
  - {source: Variant Price, name: price, type: number, required: true, description: "Price of the first variant."}
  - {source: null, name: sale_price, type: number, description: "Sale price (not in this format)."}
{% endset %}
{{ return(fromyaml(spec)) }}
{% endmacro %}
