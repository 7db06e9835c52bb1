{#-
    The line items of each order event, as the event carries them: the
    delivered attributes, and the ones the order file omitted (name, brand,
    category, item group, SKU) filled from the retailer's product feed
    (dim_products) by product id. A delivered attribute is never replaced
    (vendor spec 003); filled_from_product_feed names what was filled.
    Filling happens here, after versions are compared, so a product-feed
    change never makes an orderUpdate. Incremental by order (rebuilt_orders):
    an order with a new version is rebuilt, and so is every order holding a
    product the feed has changed since (_products_load_id), so fills follow
    the feed.
-#}
{#- incremental by order: dbt_project.yml (marts.orders) -#}
{%- set line_columns = order_state_columns('line') -%}
{#- line attribute: product feed attribute -#}
{%- set filled = {
    'product_name': 'title',
    'brand': 'brand',
    'category': 'category',
    'item_group_id': 'item_group_id',
    'sku': 'sku',
} %}
{%- set filled_reasons = [] -%}
{%- for name, feed_name in filled.items() -%}
    {%- do filled_reasons.append(
        "case when lines." ~ name ~ " is null and products." ~ feed_name ~ " is not null then '" ~ name ~ "' end") -%}
{%- endfor %}

{%- set rebuilt -%}
    {%- if is_incremental() -%}
    (
        {{ rebuilt_orders(ref('int_order_versions')) }}
        or order_key in (
            select states.order_key
            from {{ ref('int_order_line_states') }} as states
            inner join {{ ref('dim_products') }} as changed_products
                on states.retailer = changed_products.retailer and states.product_id = changed_products.product_id
            where changed_products._load_id > (select coalesce(max(_products_load_id), 0) from {{ this }})
        )
    )
    {%- else -%}1 = 1{%- endif -%}
{%- endset %}

with versions as (

    select * from {{ ref('int_order_versions') }}
    where {{ rebuilt }}

),

lines as (

    select * from {{ ref('int_order_line_states') }}
    where {{ rebuilt }} and {{ rebuilt_states_from(rebuilt) }}

),

products as (

    select * from {{ ref('dim_products') }}

)

select
    {{ dbt.hash(dbt.concat(["versions.event_key", "'|'", "lines.line_item_key"])) }} as event_line_item_key,
    versions.event_key,
    versions.order_key,
    versions.retailer,
    versions.order_id,
    versions.event_type,
    lines.line_item_key,
    lines.line_item_id,
    {%- for name in line_columns %}
        {%- if name in filled %}
            coalesce(lines.{{ name }}, products.{{ filled[name] }}) as {{ name }},
        {%- else %}
            lines.{{ name }},
        {%- endif %}
    {%- endfor %}
    {{ join_reasons(filled_reasons) }} as filled_from_product_feed,
    versions._states_load_id,
    (select max(feed._load_id) from {{ ref('dim_products') }} as feed) as _products_load_id
from versions
inner join lines
    on versions.order_key = lines.order_key and versions.delivery_key = lines.delivery_key
left join products
    on lines.retailer = products.retailer and lines.product_id = products.product_id
