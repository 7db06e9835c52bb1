{{ union_staging('products') }}
