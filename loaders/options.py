"""The keys a source's `meta.loader` block may hold: the one list of them.

The loader reads some (where and how to fetch and decode files), the staging
macros others (columns, defaults, timestamps); a format adds the options its
columns declare (`source_option`, e.g. Shopify's `order_id_column`).
`add-retailer --option` refuses a key that is not here, so a typo is caught
when it is written, not ignored at every run. tests/loader/test_options.py
checks that every key the code reads is listed.
"""

from __future__ import annotations

from .formats import Format

LOADER_OPTIONS = {
    # the contract
    "format": "the vendor format the files follow (macros/formats/)",
    "location": "where the files are: a path or URL with a glob",
    "source": "the kind of delivery: files (default), event_api, bigquery (read in place), egoi_contacts",
    "cadence": "daily or hourly: when a file is due, and source freshness",
    "schedule": "cron expression (UTC, optional year field) of `retail-imports schedule` without CRON",
    # fetching
    "storage": "options of the store's client (fsspec), never secrets",
    "credentials": "a profile of $RETAIL_CREDENTIALS holding the store's secrets",
    "change_detection": "fingerprint (default) or checksum",
    "retry_backoff_seconds": "first wait before a scheduled run retries a failed file",
    "retry_max_backoff_seconds": "longest wait between retries",
    # decoding
    "encoding": "a codec name or auto",
    "compression": "none, gzip or zip (default: by extension)",
    "archive_members": "glob of the zip members to land",
    "max_unpacked_bytes": "unpacking stops past this many bytes",
    "max_compression_ratio": "unpacking stops past this ratio (beyond 16 MiB)",
    "max_archive_members": "most members a zip may hold",
    "max_columns": "most fields a line may hold",
    "max_line_bytes": "longest line accepted",
    # reading the fields
    "file": "file options of the format overridden (delimiters, header, columns...)",
    "columns": "column declarations overridden: {column: {source: FIELD, default: VALUE, required: false}}",
    "defaults": "values for missing fields and source settings: {column: VALUE}",
    "optional_columns": "vendor-required columns this source's export omits or leaves empty (warned at every land)",
    "casts": "CRM attributes cast: {field: integer | float | bool | string}",
    "transformations": "rename, copy, new, delete, value maps, timestamps, casts (spec 003)",
    "timestamp_format": "strptime pattern(s) of the export's date-times",
    "timezone": "zone of date-times without an offset",
    # personal data (loaders/pii.py)
    "pii": "keep (plaintext kept, said at every land), or more personal fields: {field: email | phone | name | address | ip}",
    "phone_country_code": "country calling code of national phone numbers (33, +1) before they are hashed",
    # API sources (loaders/api): E-goi contacts
    "list_id": "E-goi list id (egoi_contacts)",
    "segment_id": "E-goi segment id; none: the whole list (egoi_contacts)",
    "api_key_env": "environment variable holding the API key (egoi_contacts)",
    "api_key": "the API key, only as {{ env_var('VARIABLE') }}: a literal is refused (prefer api_key_env)",
    "base_url": "the API's base URL (egoi_contacts: E-goi API v3)",
    "page_size": "records per API page (egoi_contacts: 1 to 1000)",
    "request_retries": "retries of a failed API request (429, 5xx, timeouts)",
    "request_backoff_seconds": "first wait between API retries, doubling",
    "request_max_wait_seconds": "longest wait between API retries (Retry-After included)",
    "request_timeout_seconds": "timeout of one API request",
    # the Event API collector (loaders/collector, source: event_api)
    "write_key_env": "environment variable holding the source's write key (event_api)",
    "write_key": "the write key, only as {{ env_var('VARIABLE') }}: a literal is refused (prefer write_key_env)",
    "cors_origins": "browser origins allowed to send events (event_api), a list",
    "max_body_bytes": "largest request body accepted; larger: 413 (event_api)",
    "rate_limit_per_second": "events per second accepted, or none; more: 429 (event_api)",
    "rate_limit_burst": "events accepted at once above the rate (event_api)",
    "segment_max_bytes": "a spool segment is closed (a delivery) past this size (event_api)",
    "segment_max_seconds": "a spool segment is closed (a delivery) past this age (event_api)",
}


def known_options(fmt: Format) -> dict[str, str]:
    """The meta.loader keys a source of `fmt` may set, with what each does."""
    known = dict(LOADER_OPTIONS)
    for column in fmt.columns:
        if column.source_option:
            known[column.source_option] = (f"which field holds {column.name}: "
                                           f"{' or '.join(column.source_choices or (column.source or '',))}")
    return known
