{{ union_staging('conversions') }}
