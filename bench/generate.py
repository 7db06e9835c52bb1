"""Deterministic delivery files of a chosen size, for the benchmark.

Rows are built from a seeded random generator and written in large blocks,
so a 600 MB file takes seconds to a minute to write and is the same on every
machine. Each dataset lands into one of the demo project's sources, so the
benchmark measures the real staging, rules, marts and tests of that format.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Callable, Iterator

from loaders import demo_orders

START = date(2024, 6, 1)


@dataclass(frozen=True)
class Dataset:
    name: str               # retailer.dataset the files land into
    description: str
    folder: str             # folder under the data dir, as the sources YAML expects
    file_pattern: str       # file name, {day} = YYYYMMDD
    delimiter: str
    header: list[str] | None  # None: the file has no header row (the format names the columns)
    records: Callable[[random.Random, date, int], list[list[str]]]  # the rows of record n of a day


def _visit(rng: random.Random, day: date, n: int) -> list[list[str]]:
    moment = datetime(day.year, day.month, day.day) - timedelta(days=rng.choice([0, 0, 0, 0, 1, 2])) \
        + timedelta(seconds=rng.randrange(86400))
    visitor = rng.randrange(1, 400_000)
    return [[
        f"e{day:%Y%m%d}-{n}", moment.strftime("%Y-%m-%dT%H:%M:%SZ"), "page_view", f"v{visitor:07d}",
        f"crm-{visitor}" if visitor % 3 == 0 else "", f"s{visitor}-{day:%d}",
        f"https://shop.example/product/p-{rng.randrange(10_000)}?ref=bench", "https://www.google.com/",
        rng.choice(["google", "newsletter", ""]), rng.choice(["cpc", "email", ""]), rng.choice(["spring", "summer", ""]),
        "", "", "", "web", rng.choice(["desktop", "mobile"]), "Mozilla/5.0 (X11; Linux x86_64) bench",
    ]]


def _kevel_order(rng: random.Random, day: date, n: int) -> list[list[str]]:
    """One order of the demo's Kevel generator: a row per line item, totals that add up."""
    lines = demo_orders.order_rows(rng, f"K{day:%Y%m%d}-{n}", (day - demo_orders.START).days, rng.choice(["placed", "paid"]))
    return [[line.get(column, "") for column in demo_orders.COLUMNS] for line in lines]


_STORES = ["Porto", "Lyon", "Gent", "Graz", "Turku"]
_ITEMS = [("decor", "vase-3", "Glass Vase", "49.00"), ("rugs", "rug-2", "Wool Rug 120x180", "149.00"),
          ("furniture", "chair-4", "Oak Chair", "210.00"), ("lamps", "lamp-1", "Brass Table Lamp", "89.00")]


def _store_purchase(rng: random.Random, day: date, n: int) -> list[list[str]]:
    """One receipt of a Related Digital offline file: a row per product, the receipt id as transaction attribute."""
    moment = datetime(day.year, day.month, day.day) + timedelta(seconds=rng.randrange(86400))
    customer, store, payment = f"C{rng.randrange(1, 200_000):06d}", rng.choice(_STORES), rng.choice(["cash", "card"])
    rows = []
    for _ in range(rng.randrange(1, 4)):
        category, code, name, price = rng.choice(_ITEMS)
        quantity = rng.randrange(1, 4)
        rows.append([moment.strftime("%Y-%m-%d %H:%M:%S"), customer, "7", category, code, str(quantity),
                     f"{float(price) * quantity:.2f}", store, "store", "", "", "", name, *[""] * 9,
                     f"R{day:%m%d}-{n:07d}", payment])
    return rows


DATASETS = {
    "kevel_orders": Dataset(
        "kestrel.orders", "Kevel Audience order CSV", "kestrel/orders", "kestrel_orders_{day}.csv", ",",
        demo_orders.COLUMNS, _kevel_order,
    ),
    "visits": Dataset(
        "acme.visits", "visits CSV", "acme/visits", "acme_visits_{day}.csv", ",",
        ["event_id", "event_time", "event_type", "visitor_id", "crm_id", "session_id", "url", "referrer",
         "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "campaign_id", "platform",
         "device_type", "user_agent"],
        _visit,
    ),
    "offline": Dataset(
        "bazaar.store_purchases", "offline purchases, ';' and no header", "bazaar/store", "bazaar_store_{day}.csv", ";",
        None, _store_purchase,
    ),
}


def _csv_line(fields: list[str], delimiter: str) -> str:
    return delimiter.join(f'"{f}"' if delimiter in f or '"' in f else f for f in fields) + "\n"


def write_file(dataset: Dataset, data_dir: Path, day: date, target_bytes: int, seed: int = 7) -> tuple[Path, int]:
    """Write one delivery of about target_bytes; returns (path, data rows)."""
    rng = random.Random(f"{seed}-{dataset.name}-{day}")
    path = data_dir / dataset.folder / dataset.file_pattern.format(day=f"{day:%Y%m%d}")
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = records = written = 0
    with open(path, "w", encoding="utf-8", newline="") as handle:
        if dataset.header:
            written += handle.write(_csv_line(dataset.header, dataset.delimiter))
        while written < target_bytes:
            block = []
            for _ in range(2000):
                records += 1
                for fields in dataset.records(rng, day, records):
                    rows += 1
                    block.append(_csv_line(fields, dataset.delimiter))
            written += handle.write("".join(block))
    return path, rows


def days(count: int, first: date = START) -> Iterator[date]:
    for i in range(count):
        yield first + timedelta(days=i)
