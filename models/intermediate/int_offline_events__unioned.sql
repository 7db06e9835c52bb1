{{ union_staging('offline_events') }}
