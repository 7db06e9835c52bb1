{% macro ga4_value(expression) %}
{#- A GA4 text trimmed, null when empty or one of ga4_placeholders(). -#}
    case
        when trim({{ expression }}) not in ('', {% for text in ga4_placeholders() %}{{ text_literal(text) }}{{ ', ' if not loop.last }}{% endfor %})
            then trim({{ expression }})
    end
{%- endmacro %}
