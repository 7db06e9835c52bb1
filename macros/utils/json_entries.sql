{% macro json_entries(json_column, alias) %}
{#-
    A FROM-clause item (lateral) giving one row per field of a JSON object:
    <alias>.key, <alias>.value (JSON text) and <alias>.type (VARCHAR, BIGINT,
    UBIGINT, DOUBLE, BOOLEAN, NULL, ARRAY, OBJECT).
-#}
    {{ return(adapter.dispatch('json_entries', 'retail_imports')(json_column, alias)) }}
{% endmacro %}

{% macro default__json_entries(json_column, alias) -%}
    json_each({{ json_column }}) as {{ alias }}
{%- endmacro %}

{% macro bigquery__json_entries(json_column, alias) -%}
    unnest(array(
        select as struct
            k as key,
            to_json_string(json_query({{ json_column }}, concat('$."', k, '"'))) as value,
            -- the type names of DuckDB's json_each, which callers compare against
            case json_type(json_query({{ json_column }}, concat('$."', k, '"')))
                when 'string' then 'VARCHAR'
                when 'number' then if(
                    regexp_contains(to_json_string(json_query({{ json_column }}, concat('$."', k, '"'))), r'^-?[0-9]+$'),
                    'BIGINT', 'DOUBLE')
                else upper(json_type(json_query({{ json_column }}, concat('$."', k, '"'))))
            end as type
        from unnest(json_keys({{ json_column }}, 1)) as k
    )) as {{ alias }}
{%- endmacro %}
