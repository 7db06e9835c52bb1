{{ stage_source('zephyr', 'orders') }}
