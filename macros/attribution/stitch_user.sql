{% macro stitch_user(cte, at_column) %}
{#-
    Rows of `cte` (with retailer, visitor_id, crm_id) plus the user they
    belong to: user_crm_id is their own CRM id, or else the CRM id their
    visitor id belongs to at `at_column` per dim_visitor_identities (never
    through a shared visitor id); user_key is 'crm:<id>' for a known user,
    'visitor:<id>' for an anonymous one. The user attribution matches on.
-#}
    select
        {{ cte }}.*,
        coalesce({{ cte }}.crm_id, identities.crm_id) as user_crm_id,
        case
            when coalesce({{ cte }}.crm_id, identities.crm_id) is not null
                then {{ dbt.concat(["'crm:'", "coalesce(" ~ cte ~ ".crm_id, identities.crm_id)"]) }}
            else {{ dbt.concat(["'visitor:'", cte ~ ".visitor_id"]) }}
        end as user_key
    from {{ cte }}
    left join {{ ref('dim_visitor_identities') }} as identities
        on
            {{ cte }}.crm_id is null
            and {{ cte }}.retailer = identities.retailer
            and {{ cte }}.visitor_id = identities.visitor_id
            and not identities.is_shared_visitor_id
            and (identities.valid_after is null or {{ cte }}.{{ at_column }} > identities.valid_after)
            and (identities.valid_until is null or {{ cte }}.{{ at_column }} <= identities.valid_until)
{% endmacro %}
