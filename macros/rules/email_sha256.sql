{% macro email_sha256(expression) %}
{#-
    Vendor rule (spec 003): an e-mail is trimmed and lower-cased, then hashed
    to SHA-256 (id type email_sha256). The loader already hashes e-mails at
    landing (loaders/pii.py, the same rule), so a value that is a hash is kept
    as it is: applied once or twice, the rule gives the same id, and a source
    that keeps personal data (pii: keep) gets the same hashes in staging.
-#}
    {%- set normalised = 'lower(trim(' ~ expression ~ '))' -%}
    {{ return('case when ' ~ is_hashed_email(expression) ~ ' then ' ~ normalised ~ ' else ' ~ sha256_hex(normalised) ~ ' end') }}
{% endmacro %}
