"""Offset / limit paging: every item of a collection endpoint, page by page.

The collection answers `{<total_key>: N, <items_key>: [...]}` to
`?offset=K&limit=L` (E-goi's ContactCollection, and many APIs like it).
Paging stops at an empty or short page, or once `offset` reaches the total
the API announces, whichever comes first; so a collection that grows while
it is read ends, and one that shrinks does not loop.
"""

from __future__ import annotations

from typing import Iterator

from ..errors import FileError
from .http import JsonClient


def offset_pages(client: JsonClient, path: str, page_size: int, params: dict | None = None,
                 items_key: str = "items", total_key: str = "total_items") -> Iterator[list[dict]]:
    offset = 0
    while True:
        body = client.get(path, {**(params or {}), "offset": offset, "limit": page_size})
        items = body.get(items_key)
        if items is None:
            items = []
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise FileError(client.name, f"GET {path} (offset {offset}): '{items_key}' is not a list of objects")
        if items:
            yield items
        offset += len(items)
        total = body.get(total_key)
        if len(items) < page_size or (isinstance(total, int) and offset >= total):
            return
