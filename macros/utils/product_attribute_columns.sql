{% macro product_attribute_columns() %}
{#-
    The product attributes every product format stages (the columns of the
    `products` entity other than product_id): what dim_products keeps and what
    a re-import compares to tell an updated product from an unchanged one.
-#}
    {{ return([
        'item_group_id', 'sku', 'gtin', 'mpn', 'title', 'description', 'brand', 'category',
        'product_type', 'availability', 'condition', 'status', 'product_url', 'image_url',
        'currency_code', 'price', 'sale_price',
    ]) }}
{% endmacro %}
