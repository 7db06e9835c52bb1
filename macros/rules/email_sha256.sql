{% macro email_sha256(expression) %}
{#-
    Vendor rule (spec 003): an e-mail is trimmed and lower-cased, then hashed
    to SHA-256 (id type email_sha256). Staging keeps only the hash.
-#}
    {{ return(sha256_hex('lower(trim(' ~ expression ~ '))')) }}
{% endmacro %}
