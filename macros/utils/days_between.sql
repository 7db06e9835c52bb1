{% macro days_between(relation, start_date, end_date, alias='calendar_date') %}
{#-
    Every row of `relation` repeated once per day from its `start_date` to its
    `end_date` column (both included), the day in column `alias`.
-#}
    {{ return(adapter.dispatch('days_between', 'retail_imports')(relation, start_date, end_date, alias)) }}
{% endmacro %}

{% macro default__days_between(relation, start_date, end_date, alias) %}
    select
        bounds.*,
        cast(spine.calendar_day as date) as {{ alias }}
    from {{ relation }} as bounds
    cross join unnest(generate_series(bounds.{{ start_date }}, bounds.{{ end_date }}, interval 1 day)) as spine (calendar_day)
{% endmacro %}

{% macro bigquery__days_between(relation, start_date, end_date, alias) %}
    select
        bounds.*,
        calendar_day as {{ alias }}
    from {{ relation }} as bounds
    cross join unnest(generate_date_array(bounds.{{ start_date }}, bounds.{{ end_date }})) as calendar_day
{% endmacro %}
