{{ stage_source('acme', 'orders') }}
