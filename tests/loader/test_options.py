"""loaders/options.py is the one list of meta.loader keys: every key the code reads is in it."""

from __future__ import annotations

import re

from conftest import ROOT
from loaders.formats import load_format
from loaders.options import LOADER_OPTIONS, known_options

READS = re.compile(r"""(?:options|block|loader)\.get\(\s*["']([a-z_]+)["']""")
# Keys read from other mappings the same way: a store client's options (meta.loader.storage)
# and a column declaration's options (macros/formats).
NOT_SOURCE_KEYS = {"client_keys", "client_kwargs", "known_hosts", "default_protocol"}


def test_every_meta_loader_key_the_loader_and_macros_read_is_listed():
    files = [*(ROOT / "loaders").glob("*.py"), *(ROOT / "macros").rglob("*.sql"), *(ROOT / "models").rglob("*.sql")]
    read = {key for path in files for key in READS.findall(path.read_text(encoding="utf-8"))}
    assert {"encoding", "timezone", "optional_columns", "transformations"} <= read   # the scan finds them
    assert sorted(read - NOT_SOURCE_KEYS - set(LOADER_OPTIONS)) == []


def test_a_format_adds_the_options_its_columns_declare():
    shopify = known_options(load_format(ROOT, "shopify_orders_csv"))
    assert "order_id_column" in shopify and "Name or Id" in shopify["order_id_column"]
    assert "order_id_column" not in known_options(load_format(ROOT, "kevel_orders_csv"))
