{% macro field_transformations(transformations, names, has_record, timezone=none) %}
{#-
    The source's meta.loader.transformations (spec 003, "Data
    Transformation") applied to the raw fields, in order, before the format
    reads them; the delivered file is never edited:
    - {rename: a, to: b}: field a becomes b (a disappears);
    - {copy: a, to: b}: b gets a's values (a stays);
    - {new: b, value: 0}: b holds one value on every row;
    - {delete: b}: b disappears.
    rename / copy may change the values, in this order: `values` (a from -> to
    list, map_field_values), `timestamp` (a Java-style pattern,
    custom_timestamp), `cast` (string, integer, float or bool,
    cast_field_value). Names match case-insensitively, as staging does.
    Returns {'columns': [[SQL, name]...], 'names': field names after the
    transformations, 'casts': {name: type}, 'record_values': {name: SQL of
    the value as JSON keeping its type (JSON lines: a renamed or copied
    field, or one whose values were mapped), or none once a timestamp or cast
    changed it or it was made up}, 'problems': SQL naming the row and field
    of every value a timestamp or cast refused (null when none)}.
-#}
    {%- set fields = [] -%}
    {%- for name in names -%}
        {%- do fields.append({'name': name, 'sql': quote_column(name), 'json': json_field('_record', name) if has_record else none}) -%}
    {%- endfor -%}
    {%- set casts = {} -%}
    {%- set problems = [] -%}
    {%- for step in transformations -%}
        {%- set kinds = [] -%}
        {%- for kind in ['rename', 'copy', 'new', 'delete'] if kind in step -%}{%- do kinds.append(kind) -%}{%- endfor -%}
        {%- if kinds | length != 1 -%}
            {{ exceptions.raise_compiler_error("transformation " ~ step ~ ": expected one of rename, copy, new or delete") }}
        {%- endif -%}
        {%- set kind = kinds[0] -%}
        {%- set field = step[kind] | string -%}
        {%- set target = (step.get('to') or field) | string -%}
        {%- if field.startswith('_') or target.startswith('_') -%}
            {{ exceptions.raise_compiler_error("transformation " ~ step ~ ": fields starting with _ are the loader's lineage") }}
        {%- endif -%}
        {%- if kind in ('rename', 'copy') and not step.get('to') -%}
            {{ exceptions.raise_compiler_error("transformation " ~ step ~ ": " ~ kind ~ " needs `to`") }}
        {%- endif -%}
        {%- set found = [] -%}
        {%- for f in fields if f.name | lower == field | lower -%}{%- do found.append(f) -%}{%- endfor -%}
        {%- if kind in ('rename', 'copy') -%}
            {%- set old = found[0] if found else {'name': field, 'sql': 'cast(null as ' ~ dbt.type_string() ~ ')', 'json': none} -%}
            {%- set value = "nullif(trim(" ~ old.sql ~ "), '')" -%}
            {%- set json_type = "json_type(" ~ old.json ~ ")" if old.json is not none else none -%}
            {#- JSON lines: the mapped value keeps its JSON type when no mapping matched -#}
            {%- set json = map_field_values(value, step.get('values') or [], json_type, old.json) if old.json is not none else none -%}
            {%- set value = map_field_values(value, step.get('values') or [], json_type) -%}
            {%- if step.get('timestamp') -%}
                {%- set parsed = custom_timestamp(value, step.timestamp, timezone) -%}
                {%- do problems.append("case when " ~ value ~ " is not null and " ~ parsed ~ " is null then 'row ' || cast(_line_number as " ~ dbt.type_string() ~ ") || ', field "
                    ~ target | replace("'", "''") ~ ": ' || " ~ value ~ " || ' does not match the timestamp pattern " ~ step.timestamp | replace("'", "''") ~ "' end") -%}
                {%- set value = parsed -%}
            {%- endif -%}
            {%- if step.get('cast') -%}
                {%- set cast = cast_field_value(value, step.cast) -%}
                {%- do problems.append("case when " ~ value ~ " is not null and " ~ cast ~ " is null then 'row ' || cast(_line_number as " ~ dbt.type_string() ~ ") || ', field "
                    ~ target | replace("'", "''") ~ ": ' || " ~ value ~ " || ' cannot be cast to " ~ step.cast ~ "' end") -%}
                {%- set value = cast -%}
                {%- do casts.update({target: step.cast}) -%}
            {%- endif -%}
            {%- set new_field = {'name': target, 'sql': value, 'json': json if not step.get('timestamp') and not step.get('cast') else none} -%}
        {%- elif kind == 'new' -%}
            {%- set new_field = {'name': target, 'sql': text_literal(step.get('value') | string) if step.get('value') is not none else 'cast(null as ' ~ dbt.type_string() ~ ')', 'json': none} -%}
        {%- endif -%}
        {%- set kept = [] -%}
        {%- for f in fields -%}
            {%- set replaced = kind != 'copy' and f.name | lower == field | lower -%}
            {%- set overwritten = kind in ('rename', 'copy', 'new') and f.name | lower == target | lower -%}
            {%- if not replaced and not overwritten -%}{%- do kept.append(f) -%}{%- endif -%}
        {%- endfor -%}
        {%- if kind != 'delete' -%}{%- do kept.append(new_field) -%}{%- endif -%}
        {%- do fields.clear() -%}{%- do fields.extend(kept) -%}
    {%- endfor -%}
    {%- set columns = [] -%}
    {%- set result_names = [] -%}
    {%- set record_values = {} -%}
    {%- for f in fields -%}
        {%- do columns.append([f.sql, f.name]) -%}
        {%- do result_names.append(f.name) -%}
    {%- endfor -%}
    {#- a field's JSON value is worked out beside it, where the delivered fields are still there,
        as _json_<name> (fields starting with _ are refused above, so it is no field's name) -#}
    {%- for f in fields if f.json is not none and not f.name.startswith('_') -%}
        {%- do columns.append([f.json, '_json_' ~ f.name]) -%}
        {%- do record_values.update({f.name: quote_column('_json_' ~ f.name)}) -%}
    {%- endfor -%}
    {{ return({'columns': columns, 'names': result_names, 'casts': casts, 'record_values': record_values,
        'problems': join_reasons(problems)}) }}
{% endmacro %}
