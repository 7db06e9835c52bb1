"""loaders/options.py is the one list of meta.loader keys: every key the code reads is in it."""

from __future__ import annotations

import re

from conftest import ROOT
from loaders.formats import load_format
from loaders.options import LOADER_OPTIONS, known_options

READS = re.compile(r"""(?:options|block|loader)(?:\.get\(\s*|\[\s*)["']([a-z_]+)["']""")
# Keys read through a helper given the source's options: a number (the collector), a secret
# (storage.secret_option reads KEY and KEY_env).
NUMBERS = re.compile(r"""_number\(\s*options,\s*["']([a-z_]+)["']""")
SECRETS = re.compile(r"""secret_option\(\s*options,\s*["']([a-z_]+)["']""")
# Keys read from other mappings the same way: a store client's options (meta.loader.storage)
# and a column declaration's options (macros/formats).
NOT_SOURCE_KEYS = {"client_keys", "client_kwargs", "known_hosts", "default_protocol", "id_type", "type_column"}


def test_every_meta_loader_key_the_loader_and_macros_read_is_listed():
    files = [*(ROOT / "loaders").rglob("*.py"), *(ROOT / "macros").rglob("*.sql"), *(ROOT / "models").rglob("*.sql")]
    read = set()
    for path in files:
        text = path.read_text(encoding="utf-8")
        read |= {*READS.findall(text), *NUMBERS.findall(text)}
        read |= {key for name in SECRETS.findall(text) for key in (name, f"{name}_env")}
    # the scan finds them: the loader's, the macros', the API sources', the collector's, personal data's
    assert {"encoding", "timezone", "optional_columns", "transformations", "list_id", "page_size",
            "request_retries", "write_key_env", "cors_origins", "max_body_bytes", "pii",
            "phone_country_code"} <= read
    assert sorted(read - NOT_SOURCE_KEYS - set(LOADER_OPTIONS)) == []


def test_a_format_adds_the_options_its_columns_declare():
    shopify = known_options(load_format(ROOT, "shopify_orders_csv"))
    assert "order_id_column" in shopify and "Name or Id" in shopify["order_id_column"]
    assert "order_id_column" not in known_options(load_format(ROOT, "kevel_orders_csv"))
