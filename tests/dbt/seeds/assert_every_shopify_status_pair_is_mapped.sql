-- Every financial status x line fulfilment status the Shopify format accepts
-- has a canonical line-item status in seeds/line_item_status_mappings.csv, and every
-- financial status an order status in seeds/order_status_mappings.csv.
{%- set accepted = {} -%}
{%- for column in shopify_orders_csv()['columns'] if column.get('accepted') -%}
    {%- do accepted.update({column.name: column.accepted}) -%}
{%- endfor %}

with financial as (

    {% for value in accepted['financial_status'] -%}
        select '{{ value }}' as financial_status
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

fulfillment as (

    {% for value in accepted['fulfillment_status'] -%}
        select '{{ value }}' as fulfillment_status
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

line_pairs as (

    select
        financial.financial_status,
        fulfillment.fulfillment_status
    from financial
    cross join fulfillment

)

select
    line_pairs.financial_status,
    line_pairs.fulfillment_status,
    'no line item status' as missing
from line_pairs
left join {{ ref('line_item_status_mappings') }} as statuses
    on
        statuses.source_format = 'shopify_orders_csv'
        and line_pairs.financial_status = statuses.financial_status
        and line_pairs.fulfillment_status = statuses.fulfillment_status
where statuses.line_item_status is null

union all

select
    financial.financial_status,
    null as fulfillment_status,
    'no order status' as missing
from financial
left join {{ ref('order_status_mappings') }} as statuses
    on
        statuses.source_format = 'shopify_orders_csv'
        and financial.financial_status = statuses.financial_status
where statuses.order_status is null
