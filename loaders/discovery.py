"""Find a source's deliveries and the date each file name carries.

Every kind of source (meta.loader.source) lists its deliveries as
DeliveredFiles: `files` lists a location glob (storage.py does the listing,
local folders and remote stores alike); other kinds register a lister in
KINDS. A DeliveredFile carries what the listing knew (size, the store's
fingerprint), so an unchanged delivery is recognised without fetching it,
and knows how to fetch itself to a local file, which then lands like any
file.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Callable

from .api import KINDS as API_KINDS
from .api import ApiKind, write_json_lines
from .errors import FileError, missing_extra
from .formats import FileDatePattern
from .project import Source
from .storage import Storage


@dataclass(frozen=True)
class DeliveredFile:
    path: str                        # local path, or the path inside the remote store
    size: int
    url: str | None = None           # remote files: their public URL (None: a local file)
    fingerprint: str | None = None   # the store's version of the file (see storage.fingerprint)
    storage: Storage | None = field(default=None, compare=False, repr=False)
    # Kinds other than `files`: writes the delivery to a local path, returns the bytes written.
    fetcher: Callable[[str], int] | None = field(default=None, compare=False, repr=False)
    problem: str | None = None       # refused without being read (storage.RemoteFile.problem)
    # The delivery's date when its lister knows it (its name need not match the format's file-date pattern).
    file_date: date | None = None
    # What fetching learned, for the manifest (an API delivery: pages, a note); filled by the fetcher.
    fetched: dict = field(default_factory=dict, compare=False, repr=False)
    rows: int | None = None          # a table read in place (kind bigquery): its row count

    @property
    def name(self) -> str:
        return os.path.basename(self.url or self.path)

    @property
    def is_remote(self) -> bool:
        return self.url is not None

    def display_name(self, project_dir: Path) -> str:
        """How the file is named in the warehouse and in messages."""
        return self.url if self.url else relative_name(self.path, project_dir)

    def fetch(self, dest: str) -> int:
        """Bring a remote delivery to the local path `dest`; the bytes fetched."""
        if self.fetcher is not None:
            return self.fetcher(dest)
        return self.storage.fetch(self.path, self.url, self.size or None, dest)


def _files(source: Source) -> list[DeliveredFile]:
    """Files matching the source's location glob, oldest file name first."""
    storage = Storage(source.location, source.options, source.key)
    return [
        DeliveredFile(f.path, f.size or 0, None if storage.is_local else f.url, f.fingerprint, storage,
                      problem=f.problem)
        for f in storage.list()
    ]


def _segments(source: Source) -> list[DeliveredFile]:
    """Closed spool segments of an event_api source (loaders/collector), oldest first."""
    try:
        from .collector.spool import segment_deliveries
    except ImportError as exc:
        raise missing_extra("collector", exc) from None

    return segment_deliveries(source)


def _api(kind: ApiKind) -> Callable[[Source], list[DeliveredFile]]:
    """An API kind's lister: each delivery of the run, fetched to JSON lines only when landed.

    No fingerprint: an API gives no version of its answer, so every run
    fetches, and the content's checksum tells whether anything changed.
    """
    def lister(source: Source) -> list[DeliveredFile]:
        listed = []
        for delivery in kind.deliveries(source):
            fetched: dict = {}
            listed.append(DeliveredFile(delivery.name, 0, url=delivery.name,
                                        fetcher=partial(write_json_lines, delivery, fetched), fetched=fetched))
        return listed
    return lister


def _bigquery_tables(source: Source) -> list[DeliveredFile]:
    """Tables already in BigQuery (bigquery_source.py), read there in place."""
    from .bigquery_source import check_target, list_tables

    check_target(source)
    return list_tables(source)


# meta.loader.source -> its lister (project.SOURCE_KINDS names them).
KINDS: dict[str, Callable[[Source], list[DeliveredFile]]] = {
    "files": _files, "event_api": _segments, "bigquery": _bigquery_tables,
    **{name: _api(kind) for name, kind in API_KINDS.items()}}


def discover(source: Source) -> list[DeliveredFile]:
    """The source's deliveries, oldest first."""
    return KINDS[source.kind](source)


def file_date(path: str, pattern: FileDatePattern | None) -> date | None:
    """The date in the file's name (or its whole path, for patterns `in: path`), per the format's pattern.

    The name must hold exactly one date, and a real one: 20240230 is refused
    rather than guessed, since every event in the file is filed under it.
    """
    if pattern is None:
        return None
    name = path if pattern.scope == "path" else os.path.basename(path)
    found = re.findall(pattern.regex, name)
    if not found:
        raise FileError(path, f"file {pattern.scope} has no date matching {pattern.regex!r} ({pattern.format})")
    if len(set(found)) > 1:
        raise FileError(path, f"file {pattern.scope} holds more than one date: {', '.join(sorted(set(found)))}")
    raw = found[0] if isinstance(found[0], str) else found[0][0]
    try:
        return datetime.strptime(raw, pattern.format).date()
    except ValueError:
        raise FileError(path, f"file name date {raw!r} is not a real date ({pattern.format})") from None


def relative_name(path: str, project_dir: Path) -> str:
    """How a file is named in the warehouse: relative to the project when inside it.

    The folder is resolved, the name is not: a link is named as delivered, not after its target.
    """
    resolved = Path(path).parent.resolve() / Path(path).name
    try:
        return str(resolved.relative_to(project_dir))
    except ValueError:
        return str(resolved)
