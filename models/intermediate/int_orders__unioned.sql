{{ union_staging('orders') }}
