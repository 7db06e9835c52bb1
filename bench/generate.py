"""Deterministic delivery files of a chosen size, for the benchmark.

Rows are built from a seeded random generator and written in large blocks,
so a 600 MB file takes seconds to write and is the same on every machine.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Callable, Iterator

START = date(2024, 1, 1)


@dataclass(frozen=True)
class Dataset:
    name: str               # retailer.dataset the files land into
    folder: str             # folder under the data dir, as the sources YAML expects
    file_pattern: str       # file name, {day} = YYYYMMDD
    delimiter: str
    header: list[str]
    row: Callable[[random.Random, date, int], list[str]]


def _visit(rng: random.Random, day: date, n: int) -> list[str]:
    moment = datetime(day.year, day.month, day.day) - timedelta(days=rng.choice([0, 0, 0, 0, 1, 2])) \
        + timedelta(seconds=rng.randrange(86400))
    visitor = rng.randrange(1, 400_000)
    return [
        f"e{day:%Y%m%d}-{n}", moment.strftime("%Y-%m-%dT%H:%M:%SZ"), "page_view", f"v{visitor:07d}",
        f"crm-{visitor}" if visitor % 3 == 0 else "", f"s{visitor}-{day:%d}",
        f"https://shop.example/product/p-{rng.randrange(10_000)}?ref=bench", "https://www.google.com/",
        rng.choice(["google", "newsletter", ""]), rng.choice(["cpc", "email", ""]), rng.choice(["spring", "summer", ""]),
        "", "", "", "web", rng.choice(["desktop", "mobile"]), "Mozilla/5.0 (X11; Linux x86_64) bench",
    ]


def _order(rng: random.Random, day: date, n: int) -> list[str]:
    moment = datetime(day.year, day.month, day.day) + timedelta(seconds=rng.randrange(86400))
    items = rng.randrange(1, 5)
    return [
        f"o{day:%Y%m%d}-{n}", moment.strftime("%Y-%m-%dT%H:%M:%S+0100"), f"v{rng.randrange(400_000):07d}", "",
        f"s{n}", f"{rng.randrange(500, 50_000) / 100:.2f}", "EUR", str(items),
        ";".join(f"p-{rng.randrange(10_000)}" for _ in range(items)), "", "web",
    ]


DATASETS = {
    "visits": Dataset(
        "acme.visits", "acme/visits", "acme_visits_{day}.csv", ",",
        ["event_id", "event_time", "event_type", "visitor_id", "crm_id", "session_id", "url", "referrer",
         "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "campaign_id", "platform",
         "device_type", "user_agent"],
        _visit,
    ),
    "orders": Dataset(
        "acme.orders", "acme/orders", "acme_orders_{day}.csv", ",",
        ["order_id", "event_time", "visitor_id", "crm_id", "session_id", "revenue", "currency", "item_count",
         "product_ids", "coupon_code", "platform"],
        _order,
    ),
}


def _csv_line(fields: list[str], delimiter: str) -> str:
    return delimiter.join(f'"{f}"' if delimiter in f or '"' in f else f for f in fields) + "\n"


def write_file(dataset: Dataset, data_dir: Path, day: date, target_bytes: int, seed: int = 7) -> tuple[Path, int]:
    """Write one delivery of about target_bytes; returns (path, data rows)."""
    rng = random.Random(f"{seed}-{dataset.name}-{day}")
    path = data_dir / dataset.folder / dataset.file_pattern.format(day=f"{day:%Y%m%d}")
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = written = 0
    with open(path, "w", encoding="utf-8", newline="") as handle:
        written += handle.write(_csv_line(dataset.header, dataset.delimiter))
        while written < target_bytes:
            block = []
            for _ in range(5000):
                rows += 1
                block.append(_csv_line(dataset.row(rng, day, rows), dataset.delimiter))
            text = "".join(block)
            written += handle.write(text)
    return path, rows


def days(count: int, first: date = START) -> Iterator[date]:
    for i in range(count):
        yield first + timedelta(days=i)
