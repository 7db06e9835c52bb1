{% macro matches_pattern(expression, pattern) %}
{#- True when the whole text matches the (RE2) regular expression. -#}
    {{ return(adapter.dispatch('matches_pattern', 'retail_imports')(expression, pattern)) }}
{% endmacro %}

{% macro default__matches_pattern(expression, pattern) %}regexp_full_match({{ expression }}, {{ text_literal(pattern) }}){% endmacro %}

{% macro bigquery__matches_pattern(expression, pattern) %}regexp_contains({{ expression }}, {{ text_literal('^(?:' ~ pattern ~ ')$') }}){% endmacro %}
