{{ stage_source('bazaar', 'products') }}
