{{ stage_source('kestrel', 'orders') }}
