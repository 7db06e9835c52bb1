{% macro rule_reason(rule, values) %}
{#-
    One rule of a format's `rules:` block (macros/formats/) as SQL: the
    reason a row breaks it, or null. `values` maps each field the rule names
    (the file's names, as in the vendor's table) to the SQL of its typed
    value. The rule's macro (macros/rules/) does the judging.
-#}
    {%- for name in [rule.total] + rule.sums | sum(start=[]) if name not in values -%}
        {{ exceptions.raise_compiler_error("rule " ~ rule ~ ": the format declares no field " ~ name) }}
    {%- endfor -%}
    {%- if rule.rule == 'amounts_add_up' -%}
        {%- set sums = [] -%}
        {%- for parts in rule.sums -%}
            {%- set typed = [] -%}
            {%- for part in parts -%}{%- do typed.append(values[part]) -%}{%- endfor -%}
            {%- do sums.append(typed) -%}
        {%- endfor -%}
        {{ return(amounts_add_up(values[rule.total], sums, rule.total, rule.sums)) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("rule " ~ rule ~ ": unknown rule '" ~ rule.rule ~ "' (known: amounts_add_up)") }}
    {%- endif -%}
{% endmacro %}
