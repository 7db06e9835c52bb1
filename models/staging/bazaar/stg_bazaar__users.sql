{{ stage_source('bazaar', 'users') }}
