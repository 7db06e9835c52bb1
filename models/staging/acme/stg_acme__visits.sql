{{ stage_source('acme', 'visits') }}
