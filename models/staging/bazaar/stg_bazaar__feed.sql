{{ stage_source('bazaar', 'feed') }}
