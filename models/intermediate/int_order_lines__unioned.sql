{{ union_staging('order_lines') }}
