{{ stage_source('bazaar', 'store_purchases') }}
