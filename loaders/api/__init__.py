"""Sources that are paged third-party APIs (meta.loader.source: <kind>).

One run of such a source is one delivery: its records, fetched page by page
and mapped, are written to one local JSON lines file that lands through the
same path as a delivered file. A new API is a short addition: a module with
its fetcher and mapping (see egoi.py) and a line in KINDS.
"""

from . import egoi
from .kind import ApiDelivery, ApiKind, write_json_lines

KINDS: dict[str, ApiKind] = {kind.name: kind for kind in (egoi.KIND,)}


def kind_of_format(fmt: str) -> ApiKind | None:
    """The API kind whose deliveries follow format `fmt` (egoi_contacts), or None for a format of files."""
    return next((kind for kind in KINDS.values() if kind.format == fmt), None)


__all__ = ["KINDS", "ApiDelivery", "ApiKind", "kind_of_format", "write_json_lines"]
