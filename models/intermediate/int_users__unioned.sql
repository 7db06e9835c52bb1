{{ union_staging('users') }}
