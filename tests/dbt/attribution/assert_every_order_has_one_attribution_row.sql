-- Whole-table check: runs on full builds (retail-imports run --full-tests), not daily.
{{ config(tags=['whole_table']) }}
-- Orders are never lost to attribution: every order of fct_orders has its
-- row in fct_order_attribution, attributed or not.
select orders.order_key
from {{ ref('fct_orders') }} as orders
left join {{ ref('fct_order_attribution') }} as attribution
    on orders.order_key = attribution.order_key
where attribution.order_key is null
