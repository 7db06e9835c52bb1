{% macro java_datetime_pattern(pattern) %}
{#-
    A Java-style date-time pattern (vendor spec 003, "Extracting a Custom
    Timestamp": `yyyy/MM/dd hh:mm`, `dd/MM/yyyy HH:mm`) as a strptime pattern.
    `hh` is read as 0-23 unless the pattern has an am/pm marker (`a`): the
    spec's own example parses 14:25 with `hh`. Text in single quotes is literal.
-#}
    {%- set has_marker = modules.re.search("(^|[^'a-zA-Z])a+", modules.re.sub("'[^']*'", "", pattern)) is not none -%}
    {%- set tokens = {
        'yyyy': '%Y', 'yy': '%y', 'uuuu': '%Y',
        'MMMM': '%B', 'MMM': '%b', 'MM': '%m', 'M': '%m',
        'dd': '%d', 'd': '%d',
        'HH': '%H', 'H': '%H', 'kk': '%H',
        'hh': '%I' if has_marker else '%H', 'h': '%I' if has_marker else '%H',
        'mm': '%M', 'm': '%M', 'ss': '%S', 's': '%S',
        'SSSSSS': '%f', 'SSS': '%g', 'a': '%p',
        'EEEE': '%A', 'EEE': '%a',
        'Z': '%z', 'ZZ': '%z', 'X': '%z', 'XX': '%z', 'XXX': '%z', 'z': '%Z'} -%}
    {%- set parts = [] -%}
    {%- for match in modules.re.finditer("'([^']*)'|([A-Za-z])\\2*|[^A-Za-z']+", pattern) -%}
        {%- set token = match.group(0) -%}
        {%- if token.startswith("'") -%}
            {%- do parts.append(match.group(1) | replace('%', '%%')) -%}
        {%- elif match.group(2) -%}
            {%- if token not in tokens -%}
                {{ exceptions.raise_compiler_error("timestamp pattern '" ~ pattern ~ "': '" ~ token
                    ~ "' is not supported (use yyyy, yy, MM, MMM, dd, HH, hh, mm, ss, SSS, a, Z, XXX)") }}
            {%- endif -%}
            {%- do parts.append(tokens[token]) -%}
        {%- else -%}
            {%- do parts.append(token | replace('%', '%%')) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(parts | join('')) }}
{% endmacro %}
