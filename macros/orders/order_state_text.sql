{% macro order_state_text(qualifier, name) %}
{#-
    An order-state attribute as text for a change's before / after: amounts
    short (20.5, not 20.500000), everything else as cast.
-#}
    {%- set numbers = [] -%}
    {%- for column in entity_columns('order_lines') if column.type == 'number' -%}
        {%- do numbers.append(column.name) -%}
    {%- endfor -%}
    {%- if name in numbers -%}
        {{ amount_text(qualifier ~ '.' ~ name) }}
    {%- else -%}
        {{ dbt.safe_cast(qualifier ~ '.' ~ name, dbt.type_string()) }}
    {%- endif -%}
{% endmacro %}
