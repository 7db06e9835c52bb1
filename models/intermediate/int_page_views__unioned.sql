{{ union_staging('page_views') }}
