{% macro currency_is_supported(column, label) %}
{#-
    Vendor rule (spec 003): amounts are in a supported currency, i.e. an
    ISO 4217 code of seeds/iso_4217_currencies.csv. The reason a row breaks
    it, or null.
-#}
    case
        when {{ column }} is not null
            and upper({{ column }}) not in (select currency_code from {{ ref('iso_4217_currencies') }})
            then {{ dbt.concat([text_literal(label ~ ': '), column, text_literal(' is not a supported ISO 4217 currency')]) }}
    end
{%- endmacro %}
