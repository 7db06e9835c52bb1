{% macro users_columns() %}
{#-
    The canonical shape of the users entity (CRM users, E-goi contacts): every
    users format stages its columns under these names, and int_users__unioned
    has all of them (typed nulls for the columns a format lacks), so
    int_user_ids reads linked_user_id even when no source delivers one.
    `attributes` (other_columns) is left out: every users format has it, as
    JSON. Plain YAML only.
-#}
{% set spec %}
- {name: user_id, type: string}
- {name: user_id_type, type: string}
- {name: hash_email, type: boolean}
- {name: linked_user_id, type: string}
- {name: linked_user_id_type, type: string}
{% endset %}
{{ return(fromyaml(spec)) }}
{% endmacro %}
