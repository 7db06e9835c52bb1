{% macro ga4_order_lines(events) %}
{#-
    The orders of one GA4 source as rows of the order_lines entity, from its
    staged events (`events`: the relation of stg_<retailer>__<ga4 dataset>):
    - a purchase event is an order delivered whole: one row per element of
      its items (the fields the ga4_events format lists under `items`), the
      order columns on every row, _item_index telling the rows apart; a
      purchase listing no item gives one row, flagged at line level only, so
      the order still reaches fct_orders;
    - a refund event is a new state of the order it refunds: the lines of
      the latest purchase of its transaction delivered so far, with the
      refunds of that transaction up to this one (refund_amount, the refunded
      items' line_refund_amount and status refunded; a refund listing no
      item refunds every line, as GA4 defines it), dated and filed as the
      refund (updated_at, _source_file...), so history shows an orderUpdate.
      A refund whose purchase is not (yet) delivered is kept and flagged;
    - a purchase or refund without transaction id (GA4's "(not set)") is kept
      and flagged (ga4_transaction_id_is_set), never merged with the others.
    Lines are keyed by position (no line item id: an item id may repeat in
    one purchase); each purchase line is paid, each refunded one refunded.
-#}
{#- the event columns an order state carries -#}
{%- set order_fields = ['retailer', 'transaction_id', 'visitor_id', 'crm_id', 'ga_session_id', 'platform',
    'currency_code', 'purchase_revenue', 'tax_value', 'shipping_value', 'payment_type', 'shipping_tier', 'coupon',
    'event_name'] -%}
{%- set item_columns = [] -%}
{%- for declared in format_spec('ga4_events')['items'] -%}
    {%- set column = {'source': 'items.' ~ (declared.path or declared.paths | join('/'))} -%}
    {%- do column.update(declared) -%}
    {%- do item_columns.append(column) -%}
{%- endfor %}

with orders as (

    select
        *,
        -- GA4 rows of one order share the transaction id; without one, a row is its own group
        coalesce(
            {{ ga4_value('transaction_id') }},
            {{ dbt.concat(["'#'", dbt.safe_cast('_line_number', dbt.type_string())]) }}
        ) as order_group
    from {{ events }}
    where event_name in ('purchase', 'refund')

),

purchase_items as (

    select
        orders.*,
        coalesce(item_position, 0) as item_index,
        item_value is null as is_itemless,
        {%- for column in item_columns %}
        {%- if column.paths %}
        {#- several fields into one list (item_category2..5) -#}
        {%- set fields = [] -%}
        {%- for path in column.paths -%}
            {%- do fields.append(ga4_value(json_path_text('item_value', path))) -%}
        {%- endfor %}
        {{ text_list(fields) }} as {{ adapter.quote(column.name ~ '__raw') }}{{ ',' if not loop.last }}
        {%- else %}
        {{ ga4_value(json_path_text('item_value', column.path)) }} as {{ adapter.quote(column.name ~ '__raw') }}{{ ',' if not loop.last }}
        {%- endif %}
        {%- endfor %}
    from orders
    {{ json_array_rows('orders.items', 'item') }}
    where orders.event_name = 'purchase'

),

refunds as (

    select * from orders
    where event_name = 'refund'

),

-- every refund of a transaction up to each refund (itself included): refunds add up
refunds_so_far as (

    select
        later._source_file,
        later._line_number,
        earlier._source_file as earlier_source_file,
        earlier._line_number as earlier_line_number,
        earlier.refund_value,
        earlier.items as earlier_items
    from refunds as later
    inner join refunds as earlier
        on
            later.retailer = earlier.retailer
            and later.order_group = earlier.order_group
            and (
                earlier.event_at < later.event_at
                or (earlier.event_at = later.event_at and earlier._load_id < later._load_id)
                or (
                    earlier.event_at = later.event_at and earlier._load_id = later._load_id
                    and earlier._line_number <= later._line_number
                )
            )

),

refund_totals as (

    select
        _source_file,
        _line_number,
        cast(sum(refund_value) as {{ dbt.type_numeric() }}) as refund_amount,
        -- GA4: a refund without items refunds the whole transaction
        max(case when coalesce(replace(earlier_items, ' ', ''), '[]') = '[]' then 1 else 0 end) as is_full_refund
    from refunds_so_far
    group by _source_file, _line_number

),

refund_item_rows as (

    select
        refunds_so_far._source_file,
        refunds_so_far._line_number,
        {{ ga4_value(json_path_text('item_value', 'item_id')) }} as product_id,
        -- an item refunded without its amount is refunded whole
        coalesce(
            {{ try_cast(json_path_text('item_value', 'item_refund'), dbt.type_numeric()) }},
            {{ try_cast(json_path_text('item_value', 'price'), dbt.type_numeric()) }}
            * coalesce({{ try_cast(json_path_text('item_value', 'quantity'), dbt.type_numeric()) }}, 1)
        ) as line_refund_amount
    from refunds_so_far
    {{ json_array_rows('refunds_so_far.earlier_items', 'item') }}
    where item_value is not null

),

refunded_items as (

    select
        _source_file,
        _line_number,
        product_id,
        sum(line_refund_amount) as line_refund_amount
    from refund_item_rows
    group by _source_file, _line_number, product_id

),

-- the purchase each refund applies to: the latest one of its transaction delivered so far
refunded_purchases as (

    select
        refunds._source_file,
        refunds._line_number,
        purchases._source_file as purchase_source_file,
        purchases._line_number as purchase_line_number,
        row_number() over (
            partition by refunds._source_file, refunds._line_number
            order by purchases.event_at desc, purchases._load_id desc, purchases._line_number desc
        ) as purchase_rank
    from refunds
    inner join orders as purchases
        on
            refunds.retailer = purchases.retailer
            and refunds.order_group = purchases.order_group
            and purchases.event_name = 'purchase'
            and purchases._load_id <= refunds._load_id

),

refund_states as (

    select
        {%- for name in order_fields %}
        {%- if name == 'event_name' %}
        refunds.event_name,
        {%- else %}
        coalesce(lines.{{ name }}, refunds.{{ name }}) as {{ name }},
        {%- endif %}
        {%- endfor %}
        lines.event_at as ordered_at,
        refunds.event_at as updated_at,
        totals.refund_amount,
        coalesce(lines.item_index, 0) as item_index,
        coalesce(lines.is_itemless, false) as is_itemless,
        {%- for column in item_columns if column.name != 'line_refund_amount' %}
        lines.{{ adapter.quote(column.name ~ '__raw') }},
        {%- endfor %}
        case
            when totals.is_full_refund = 1 then lines.{{ adapter.quote('line_total_amount__raw') }}
            else {{ dbt.safe_cast('refunded_items.line_refund_amount', dbt.type_string()) }}
        end as {{ adapter.quote('line_refund_amount__raw') }},
        totals.is_full_refund = 1 or refunded_items.product_id is not null as is_refunded_line,
        case when lines.retailer is null then 'refund: no purchase of this transaction has been delivered yet' end
            as refund_problem,
        refunds.order_group,
        refunds._rejection_reason,
        refunds._source_format,
        refunds._source_file,
        refunds._file_date,
        refunds._line_number,
        refunds._loaded_at,
        refunds._load_id
    from refunds
    inner join refund_totals as totals
        on
            refunds._source_file = totals._source_file
            and refunds._line_number = totals._line_number
    left join refunded_purchases
        on
            refunds._source_file = refunded_purchases._source_file
            and refunds._line_number = refunded_purchases._line_number
            and refunded_purchases.purchase_rank = 1
    left join purchase_items as lines
        on
            refunded_purchases.purchase_source_file = lines._source_file
            and refunded_purchases.purchase_line_number = lines._line_number
    left join refunded_items
        on
            refunds._source_file = refunded_items._source_file
            and refunds._line_number = refunded_items._line_number
            and lines.{{ adapter.quote('product_id__raw') }} = refunded_items.product_id

),

states as (

    select
        {%- for name in order_fields %}
        {{ name }},
        {%- endfor %}
        event_at as ordered_at,
        event_at as updated_at,
        cast(null as {{ dbt.type_numeric() }}) as refund_amount,
        item_index,
        is_itemless,
        {%- for column in item_columns %}
        {{ adapter.quote(column.name ~ '__raw') }},
        {%- endfor %}
        false as is_refunded_line,
        cast(null as {{ dbt.type_string() }}) as refund_problem,
        order_group,
        _rejection_reason,
        _source_format,
        _source_file,
        _file_date,
        _line_number,
        _loaded_at,
        _load_id
    from purchase_items
    union all
    select
        {%- for name in order_fields %}
        {{ name }},
        {%- endfor %}
        ordered_at,
        updated_at,
        refund_amount,
        item_index,
        is_itemless,
        {%- for column in item_columns %}
        {{ adapter.quote(column.name ~ '__raw') }},
        {%- endfor %}
        is_refunded_line,
        refund_problem,
        order_group,
        _rejection_reason,
        _source_format,
        _source_file,
        _file_date,
        _line_number,
        _loaded_at,
        _load_id
    from refund_states

),

renamed as (

    select
        retailer,
        transaction_id as order_id,
        visitor_id,
        crm_id,
        {{ ga4_session_id('visitor_id', 'ga_session_id') }} as session_id,
        {{ ga4_platform('platform') }} as platform,
        {{ ga4_platform('platform') }} as order_source,
        upper(currency_code) as currency_code,
        purchase_revenue as total_amount,
        tax_value as tax_amount,
        shipping_value as shipping_amount,
        refund_amount,
        {{ ga4_value('payment_type') }} as payment_method,
        {{ ga4_value('shipping_tier') }} as shipping_method,
        {{ text_list([ga4_value('coupon')]) }} as promotions,
        ordered_at,
        updated_at,
        cast(null as {{ dbt.type_string() }}) as line_item_id,
        {%- for column in item_columns if column.name != 'line_coupon' %}
        {{ adapter.quote(column.name ~ '__raw') if column.paths else cast_value(adapter.quote(column.name ~ '__raw'), column) }}
            as {{ column.name }},
        {%- endfor %}
        {{ cast_value(adapter.quote('line_total_amount__raw'), {'type': 'number'}) }} as line_subtotal_amount,
        upper(currency_code) as line_currency_code,
        {{ text_list([adapter.quote('line_coupon__raw')]) }} as line_promotions,
        case when is_refunded_line then 'refunded' else 'paid' end as line_item_status,
        order_group as _order_group,
        item_index as _item_index,
        is_itemless as _is_itemless,
        case
            when is_itemless then {{ dbt.concat(["'items: the '", "event_name", "' lists no items'"]) }}
            when refund_problem is null then {{ rejection_reason(item_columns, [['product_id', 'product_name']]) }}
        end as _rejection_reason,
        {{ join_reasons([
            '_rejection_reason',
            ga4_transaction_id_is_set('transaction_id', 'event_name'),
            'refund_problem',
        ]) }} as _order_rejection_reason,
        _source_format,
        _source_file,
        _file_date,
        _line_number,
        _loaded_at,
        _load_id
    from states

)

select * from renamed
{%- endmacro %}
