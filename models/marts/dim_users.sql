{#-
    One row per CRM user: the id (normalised, hashed where the source asks)
    and every current attribute in one JSON object, typed as imported.
    Built from dim_user_attributes, so a second import changing one attribute
    leaves the others intact.
-#}
with attributes as (

    select * from {{ ref('dim_user_attributes') }}

)

select
    user_key,
    retailer,
    user_id_type,
    user_id,
    {{ json_object_agg('attribute_name', 'attribute_json') }} as attributes,
    count(*) as attribute_count,
    max(file_date) as last_file_date,
    max(_load_id) as _load_id
from attributes
group by user_key, retailer, user_id_type, user_id
