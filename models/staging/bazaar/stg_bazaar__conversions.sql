{{ stage_source('bazaar', 'conversions') }}
