{{ stage_source('zephyr', 'visits') }}
