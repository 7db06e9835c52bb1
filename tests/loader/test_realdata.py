"""Real files written by others land without losing a record.

Each file is landed as generic_csv (every column as text). The record count
is checked against Python's csv module reading the same bytes, and a sample
of line numbers against where the csv module says records start.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

FILES = [
    "olist-brazilian-ecommerce/olist_orders_dataset.csv",
    "olist-brazilian-ecommerce/olist_order_items_dataset.csv",
    "olist-brazilian-ecommerce/olist_order_reviews_dataset.csv",
    "olist-brazilian-ecommerce/olist_customers_dataset.csv",
    "shopify-devstore-forezia/orders_export.csv",
    "shopify-realstore-rieker-ca/orders_export_1.csv",
    "shopify-realstore-rieker-ca/products_export_1.csv",
    "rees46-ecommerce-events/2019-Oct_head5019.csv",
    "segment-events-shapees/events.csv",
    "segment-events-shapees/order_completed.csv",
    "segment-events-shapees/first_pages.csv",
    "merchant-feed-emirates-gifts/merchant-feed-ar.csv",
    "merchant-feed-emirates-gifts/google_merchant_feed_en.tsv",
    "uci-online-retail/OnlineRetail_sample30k_linumolk.csv",
    "uci-online-retail/OnlineRetail_head_hellich.csv",
]


def _records(path: Path, delimiter: str) -> tuple[list[int], int]:
    """(line where each well-formed record starts, number of malformed records)."""
    starts, malformed = [], 0
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        width = len(next(reader))
        line = reader.line_num
        for row in reader:
            if not row:
                line = reader.line_num
                continue
            if len(row) == width:
                starts.append(line + 1)
            else:
                malformed += 1
            line = reader.line_num
    return starts, malformed


@pytest.mark.parametrize("relative", FILES, ids=lambda f: f.split("/")[-1])
def test_real_file_lands_every_record(mini, realdata, relative):
    original = realdata / relative
    mini.declare("real", {"rows": ("generic_csv", "*")})
    shutil.copy(original, mini.data / original.name)

    result = mini.cli("land")
    assert result.code == 0, result.err
    assert "Traceback" not in result.err

    delimiter = "\t" if original.suffix == ".tsv" else ","
    starts, malformed = _records(original, delimiter)
    ((read, landed, rejected, status),) = mini.query("select rows_read, rows_landed, rows_rejected, status from loader.files")
    assert status == "landed"
    assert read == landed + rejected
    assert (landed, rejected) == (len(starts), malformed)
    lines = [r[0] for r in mini.query("select _line_number from raw_real.rows order by _line_number")]
    assert lines == starts


def test_uci_short_rows_are_rejected_with_reason(mini, realdata):
    mini.declare("real", {"rows": ("generic_csv", "*")})
    shutil.copy(realdata / "uci-online-retail/OnlineRetail_head_hellich.csv", mini.data / "uci.csv")
    assert mini.cli("land").code == 0
    rejects = mini.query("select line_number, reason, raw_text from loader.rejects order by 1")
    assert [(line, reason) for line, reason, _ in rejects] == [
        (line, "wrong number of fields: expected 8, found 7") for line in (121, 172, 175, 179)
    ]
    assert rejects[0][2] == "536381,21175,GIN + TONIC DIET METAL   2,12/1/10 9:41,2.1,15311,United Kingdom"
