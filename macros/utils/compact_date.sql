{% macro compact_date(expression) %}
{#- Text YYYYMMDD (GA4's event_date, export table suffixes) to a date; null when it is not a real date. -#}
    {{ return(try_cast(dbt.concat([
        'substr(' ~ expression ~ ', 1, 4)', "'-'", 'substr(' ~ expression ~ ', 5, 2)', "'-'", 'substr(' ~ expression ~ ', 7, 2)'
    ]), 'date')) }}
{% endmacro %}
