{#-
    Order lines of every retailer and line-item format (Kevel, Shopify...),
    one row per delivered row, checked against the vendor rules (spec 003)
    that need the neighbouring rows or reference data:
    - "only the first row is used to extract Order details": every row takes
      the order columns of its order's first row in the file;
    - "only the last sequential line items of the order will be persisted":
      when an order's rows are split within a file, its last run of adjacent
      rows keeps its lines (with the order details of the first row) and the
      rows of earlier runs are rejected, named by file and line;
    - currencies are ISO 4217 codes (seeds/iso_4217_currencies.csv);
    - each line has a canonical status: as delivered (Kevel) or mapped from
      the financial and fulfilment statuses (Shopify; seeds
      order_status_mappings and line_item_status_mappings) to the canonical
      ones of line_item_statuses();
    - a line item id appears once per order;
    - "Import errors invalidate the entry, resulting in it being discarded":
      an order with a problem on any of its kept rows (its order details
      included) is discarded whole: every row of it is rejected, with its own
      reason or the line that discarded the order.
    A format's rules on a row's own values (Kevel's total = subtotal + tax +
    shipping) come from staging, in the row's reasons.
    Formats that deliver an order as one record with a list of items (GA4's
    purchase events) give one row per item, told apart by _item_index; such
    a record starts a new run of rows, so an order delivered twice in one
    file keeps its last delivery, as split orders do, and its order details
    are the kept record's own (each record is a whole order). A record
    listing no item gives one row flagged _is_itemless: rejected as a line,
    it does not discard its order, which is kept without lines.
    _order_rejection_reason says why the row's order cannot be used;
    _rejection_reason why the row cannot (never null when the other is not).
    Every rule looks within one file, so only the files landed since the
    last run are validated (a re-landed file replaces its rows); the window
    functions run once per file, not once per reader or per build.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['retailer', '_source_file'],
        on_schema_change='fail',
    )
}}
{%- set discarding = "detail_problems is not null"
    ~ " or (kept_line_problems is not null and not coalesce(_is_itemless, false))" -%}
{%- set order_columns, line_columns = [], [] -%}
{%- for column in entity_columns('order_lines') if not column.name.startswith('_') -%}
    {%- do (order_columns if column.level == 'order' else line_columns).append(column.name) -%}
{%- endfor %}

{#- The rows are read where they are stored, three times over (not through
    one CTE: a CTE read several times is materialised whole, and the windows
    below would then carry every column, sorting whole rows again for each
    window: minutes and gigabytes for a 600 MB file). -#}
{%- set order_lines -%}
    (select * from {{ ref('int_order_lines__unioned') }} where {{ new_loads() }})
{%- endset %}

-- The order structure is worked out on the few columns it needs, then
-- joined back to the rows. A row with no order value continues the order above it.
with positions as (

    select
        retailer,
        _source_file,
        _line_number,
        _item_index,
        line_item_id,
        last_value(_order_group ignore nulls) over (
            partition by retailer, _source_file
            order by _line_number, _item_index
            rows between unbounded preceding and current row
        ) as order_rows_key
    from {{ order_lines }} as order_lines

),

run_starts as (

    select
        *,
        lag(order_rows_key) over (
            partition by retailer, _source_file
            order by _line_number, _item_index
        ) as previous_rows_key
    from positions

),

runs as (

    select
        *,
        sum(
            case
                when coalesce(order_rows_key, '') = coalesce(previous_rows_key, '') and coalesce(_item_index, 1) != 0
                    then 0
                else 1
            end
        ) over (
            partition by retailer, _source_file
            order by _line_number, _item_index
            rows between unbounded preceding and current row
        ) as run_number
    from run_starts

),

measured_runs as (

    select
        *,
        row_number() over (
            partition by retailer, _source_file, run_number
            order by _line_number, _item_index
        ) as line_position,
        min(_line_number) over (partition by retailer, _source_file, run_number) as run_first_line,
        max(_line_number) over (partition by retailer, _source_file, run_number) as run_last_line,
        max(run_number) over (partition by retailer, _source_file, order_rows_key) as order_last_run,
        -- "only the first row is used to extract Order details": the order's first row in the file
        min(_line_number) over (partition by retailer, _source_file, order_rows_key) as order_first_line
    from runs

),

structured as (

    select
        *,
        max(case when run_number = order_last_run then run_first_line end) over (
            partition by retailer, _source_file, order_rows_key
        ) as kept_run_first_line,
        max(case when run_number = order_last_run then run_last_line end) over (
            partition by retailer, _source_file, order_rows_key
        ) as kept_run_last_line,
        -- a record with items (GA4) is a whole order: its own first item holds its details
        case when order_rows_key is null or _item_index is not null then run_first_line else order_first_line end
            as head_line,
        coalesce(
            line_item_id, {{ dbt.concat(["'#'", dbt.safe_cast('line_position', dbt.type_string())]) }}
        ) as line_item_key
    from measured_runs

),

keyed as (

    select
        *,
        min(_line_number) over (
            partition by retailer, _source_file, run_number, line_item_key
        ) as line_item_key_first_line
    from structured

),

-- The order columns of every row are those of its order's first row (head).
headed as (

    select
        keyed.retailer,
        keyed._item_index,
        keyed.order_rows_key,
        keyed.run_number,
        keyed.line_position,
        keyed.run_first_line,
        keyed.run_last_line,
        keyed.order_last_run,
        keyed.kept_run_first_line,
        keyed.kept_run_last_line,
        keyed.head_line,
        keyed.line_item_key,
        keyed.line_item_key_first_line,
        {%- for name in order_columns %}
        order_heads.{{ name }},  -- noqa: LT02
        {%- endfor %}
        {%- for name in line_columns %}
        order_rows.{{ name }},  -- noqa: LT02
        {%- endfor %}
        order_heads._order_rejection_reason as head_rejection_reason,
        order_rows._rejection_reason as staged_rejection_reason,
        order_rows._is_itemless,
        order_rows._source_format,
        order_rows._source_file,
        order_rows._file_date,
        order_rows._line_number,
        order_rows._loaded_at,
        order_rows._load_id
    from keyed
    inner join {{ order_lines }} as order_rows
        on
            keyed.retailer = order_rows.retailer
            and keyed._source_file = order_rows._source_file
            and keyed._line_number = order_rows._line_number
            and coalesce(keyed._item_index, 0) = coalesce(order_rows._item_index, 0)
    inner join {{ order_lines }} as order_heads
        on
            keyed.retailer = order_heads.retailer
            and keyed._source_file = order_heads._source_file
            and keyed.head_line = order_heads._line_number
            -- a record's order details are on its first item
            and coalesce(order_heads._item_index, 0) = 0

),

mapped as (

    select
        headed.*,
        order_status_mappings.order_status,
        line_item_status_mappings.line_item_status as mapped_line_item_status
    from headed
    left join {{ ref('order_status_mappings') }} as order_status_mappings
        on
            headed._source_format = order_status_mappings.source_format
            and headed.financial_status = order_status_mappings.financial_status
    left join {{ ref('line_item_status_mappings') }} as line_item_status_mappings
        on
            headed._source_format = line_item_status_mappings.source_format
            and headed.financial_status = line_item_status_mappings.financial_status
            and headed.fulfillment_status = line_item_status_mappings.fulfillment_status

),

checked as (

    select
        *,
        coalesce(line_item_status, mapped_line_item_status) as canonical_line_item_status,
        case
            when order_rows_key is not null and run_number < order_last_run
                then {{ dbt.concat([
                    "'order '", "order_rows_key",
                    "': rows not adjacent, lines '", dbt.safe_cast('run_first_line', dbt.type_string()),
                    "'-'", dbt.safe_cast('run_last_line', dbt.type_string()),
                    "' dropped: only the last run of its rows (lines '", dbt.safe_cast('kept_run_first_line', dbt.type_string()),
                    "'-'", dbt.safe_cast('kept_run_last_line', dbt.type_string()),
                    "') is kept, with the order details of line '",
                    dbt.safe_cast('case when _item_index is not null then kept_run_first_line else head_line end', dbt.type_string())]) }}
        end as dropped_run_reason,
        {{ join_reasons([
            'head_rejection_reason',
            currency_is_supported('currency_code', 'currency'),
        ]) }} as order_problems,
        {{ join_reasons([
            'staged_rejection_reason',
            currency_is_supported('line_currency_code', 'line currency'),
            "case when staged_rejection_reason is null then " ~ line_item_status_is_known(
                'coalesce(line_item_status, mapped_line_item_status)',
                "coalesce(line_item_status, financial_status || ' / ' || fulfillment_status)") ~ " end",
            "case when line_item_key_first_line < _line_number then "
                ~ dbt.concat(["'line item id '", "line_item_key", "' repeats line '",
                    dbt.safe_cast('line_item_key_first_line', dbt.type_string()), "' of the order'"]) ~ " end",
        ]) }} as line_problems
    from mapped

),

-- A kept row's own problems: its line's, and on the first kept row its
-- order details' (named by their line when that row was dropped).
judged as (

    select
        *,
        case when dropped_run_reason is null then {{ join_reasons([
            "case when line_position = 1 and head_line = _line_number then order_problems end",
            "case when line_position = 1 and head_line <> _line_number then "
                ~ dbt.concat(["'order details (line '", dbt.safe_cast('head_line', dbt.type_string()), "'): '", "order_problems"])
                ~ " end",
        ]) }} end as detail_problems,
        case when dropped_run_reason is null then line_problems end as kept_line_problems
    from checked

),

-- "Import errors invalidate the entry": one rejected row discards its whole order
-- (not the row of an order listing no item: it is no line, and the order is whole).
discarded as (

    select
        *,
        {{ join_reasons(['detail_problems', 'kept_line_problems']) }} as own_problems,
        {{ count_where(discarding) }} over (
            partition by retailer, _source_file, order_rows_key, run_number
        ) as order_rejected_rows,
        min(case when {{ discarding }} then _line_number end) over (
            partition by retailer, _source_file, order_rows_key, run_number
        ) as order_first_rejected_line
    from judged

),

reasoned as (

    select
        *,
        case
            when dropped_run_reason is not null then dropped_run_reason
            when order_rejected_rows > 0
                then {{ dbt.concat([
                    "'order '", "coalesce(order_rows_key, '(none)')", "' discarded: '",
                    dbt.safe_cast('order_rejected_rows', dbt.type_string()),
                    "' of its rows rejected (first: line '", dbt.safe_cast('order_first_rejected_line', dbt.type_string()),
                    "')'"]) }}
        end as order_rejection_reason
    from discarded

),

-- Values in their canonical form (an e-mail hash is the user id of a Shopify order).
canonical as (

    select
        *,
        coalesce(
            user_id_type, case when email_sha256 is not null then 'email_sha256' end
        ) as canonical_user_id_type,
        coalesce(user_id, email_sha256) as canonical_user_id,
        upper(currency_code) as canonical_currency_code,
        upper(coalesce(line_currency_code, currency_code)) as canonical_line_currency_code,
        -- Shopify gives a unit price and a discount per line, not line totals
        -- (nor per-line tax or shipping): its line subtotal and total are both
        -- quantity x price - discount. Cast back to the amounts' type: a
        -- product of two amounts has twice their decimals (the marts'
        -- contracts declare one numeric type).
        cast(coalesce(
            line_total_amount, quantity * unit_price - coalesce(line_discount_amount, 0)
        ) as {{ dbt.type_numeric() }}) as canonical_line_total_amount,
        cast(coalesce(
            line_subtotal_amount, quantity * unit_price - coalesce(line_discount_amount, 0)
        ) as {{ dbt.type_numeric() }}) as canonical_line_subtotal_amount,
        coalesce(own_problems, order_rejection_reason) as row_rejection_reason
    from reasoned

)

select
    retailer,
    order_id,
    line_item_key,
    line_position,
    canonical_user_id_type as user_id_type,
    canonical_user_id as user_id,
    email_sha256,
    visitor_id,
    crm_id,
    session_id,
    platform,
    canonical_currency_code as currency_code,
    total_amount,
    subtotal_amount,
    tax_amount,
    shipping_amount,
    discount_amount,
    refund_amount,
    payment_method,
    shipping_method,
    shipping_country,
    order_source,
    promotions,
    financial_status,
    order_status,
    custom_fields,
    ordered_at,
    updated_at,
    paid_at,
    fulfilled_at,
    line_item_id,
    product_id,
    item_group_id,
    sku,
    product_name,
    brand,
    category,
    categories,
    size,
    size_system,
    canonical_line_currency_code as line_currency_code,
    quantity,
    unit_price,
    canonical_line_total_amount as line_total_amount,
    canonical_line_subtotal_amount as line_subtotal_amount,
    line_tax_amount,
    line_shipping_amount,
    line_discount_amount,
    line_refund_amount,
    line_promotions,
    is_adult,
    subscription_duration_ms,
    canonical_line_item_status as line_item_status,
    fulfillment_status,
    order_rows_key as _order_group,
    _item_index,
    _is_itemless,
    head_line as _order_first_line,
    order_rejection_reason as _order_rejection_reason,
    row_rejection_reason as _rejection_reason,
    _source_format,
    _source_file,
    _file_date,
    _line_number,
    _loaded_at,
    _load_id
from canonical
