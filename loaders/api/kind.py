"""What an API source kind provides, and how one run of it becomes one delivery.

A kind (meta.loader.source: <name>) is a fetcher and a mapping: `check`
refuses a meta.loader block it cannot serve, `deliveries` says what one run
of a source will deliver (asking the API only what the name needs), and
each delivery's `records` yields the mapped records page by page. The
records are written to one local JSON lines file, which then lands like
any delivered file (importer.py): atomically, with its manifest row, and
as a no-op when its content is the same as last time.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterator

from ..errors import FileError

if TYPE_CHECKING:
    from ..project import Source


@dataclass
class FetchStats:
    """What one fetch did, for the manifest and messages."""

    pages: int = 0
    records: int = 0


@dataclass(frozen=True)
class ApiDelivery:
    name: str                                              # how the delivery is named (manifest, _source_file)
    records: Callable[[FetchStats], Iterator[dict]]        # the mapped records; counts pages into the stats
    describe: Callable[[FetchStats], str] = field(default=lambda stats: "")   # manifest note after the fetch


@dataclass(frozen=True)
class ApiKind:
    name: str                                              # meta.loader.source
    format: str                                            # the format its deliveries follow
    check: Callable[[dict, str], None]                     # raise LoaderError for a block it cannot serve
    deliveries: Callable[["Source"], list[ApiDelivery]]
    settings: dict[str, str] = field(default_factory=dict)  # option -> question, for add-retailer's prompts


def write_json_lines(delivery: ApiDelivery, fetched: dict, dest: str) -> int:
    """Fetch every record of `delivery` into the JSON lines file `dest`; the bytes written.

    The file is complete or absent: a fetch that fails part-way removes what
    it wrote and raises FileError, so nothing of that run can land.
    `fetched` receives the page count and the manifest note.
    """
    stats = FetchStats()
    try:
        with open(dest, "w", encoding="utf-8", newline="\n") as out:
            for record in delivery.records(stats):
                out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
                stats.records += 1
    except BaseException:
        if os.path.exists(dest):
            os.remove(dest)
        raise
    if not stats.records:
        os.remove(dest)
        raise FileError(delivery.name, f"the API returned no records ({stats.pages} pages): nothing to land")
    fetched.update(pages=stats.pages, note=delivery.describe(stats))
    return os.path.getsize(dest)
