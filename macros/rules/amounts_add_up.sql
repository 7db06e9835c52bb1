{% macro amounts_add_up(total, sums, label, names) %}
{#-
    An amount rule: `total` equals one of `sums` (each a list of SQL
    amounts), within var('order_amount_tolerance') (a cent). Kevel's table
    states "total = subtotal + tax + shipping" (one sum); a format declares
    its own in its `rules:` block (macros/formats/). `label` names the total
    and `names` the parts of each sum in the message. The reason a row breaks
    it, or null; a sum missing a part is not judged (missing values are the
    required checks' business).
-#}
    {%- set complete, matches, texts = [], [], [] -%}
    {%- for parts in sums -%}
        {%- set present = [] -%}
        {%- for part in parts -%}{%- do present.append(part ~ ' is not null') -%}{%- endfor -%}
        {%- set sum = '(' ~ parts | join(' + ') ~ ')' -%}
        {%- do complete.append('(' ~ present | join(' and ') ~ ')') -%}
        {%- do matches.append('(' ~ present | join(' and ') ~ ' and abs(' ~ total ~ ' - ' ~ sum ~ ') <= ' ~ var('order_amount_tolerance') ~ ')') -%}
        {%- do texts.append(text_literal(names[loop.index0] | join(' + ') ~ ' = ')) -%}
        {%- do texts.append("coalesce(" ~ amount_text(sum) ~ ", 'unknown')") -%}
        {%- if not loop.last -%}{%- do texts.append(text_literal(' nor ')) -%}{%- endif -%}
    {%- endfor -%}
    case
        when {{ total }} is not null and ({{ complete | join(' or ') }}) and not ({{ matches | join(' or ') }})
            then {{ dbt.concat([text_literal(label ~ ': '), amount_text(total),
                text_literal(' is not ' if sums | length == 1 else ' is neither ')] + texts) }}
    end
{%- endmacro %}
