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


@dataclass(frozen=True)
class NameStamp:
    """The date a file name carries, with its hour for hourly deliveries (vendor spec 000:
    files "uploaded hourly or at least once daily")."""

    date: date
    hour: int | None = None
    text: str = ""     # the characters of the name that hold it: discover turns them into a glob
    format: str = ""   # the strptime format of the date part

    def __str__(self) -> str:
        return f"{self.date.isoformat()}" + (f" {self.hour:02d}h" if self.hour is not None else "")


# An hour after a date: HH, _HH, THH or -HH (then minutes and seconds, if any, are ignored).
_HOUR = r"(?:[_T -]?(?P<hour>\d{2})(?P<minutes>(?:\d{2}){1,2})?)?"
# The dates a file name may hold when its format declares no pattern of its own,
# tried in this order; also what `discover` looks for in a sample's name.
NAME_DATES = (
    FileDatePattern(rf"(?<!\d)(?P<date>\d{{4}}-\d{{2}}-\d{{2}}){_HOUR}(?!\d)", "%Y-%m-%d"),
    FileDatePattern(rf"(?<!\d)(?P<date>\d{{4}}_\d{{2}}_\d{{2}}){_HOUR}(?!\d)", "%Y_%m_%d"),
    FileDatePattern(rf"(?<!\d)(?P<date>\d{{8}}){_HOUR}(?!\d)", "%Y%m%d"),
)


def file_stamp(path: str, pattern: FileDatePattern | None) -> NameStamp | None:
    """The date (and hour) in the file's name.

    A format that declares a pattern requires it: the name must hold exactly
    one date, and a real one (20240230 is refused rather than guessed, since
    every event in the file is filed under it). A format that declares none
    takes a date if the name plainly holds one (NAME_DATES), and lands the
    file without one otherwise: no rule of its vendor asks for a dated name.
    """
    if pattern is None:
        return name_stamp(os.path.basename(path))
    name = path if pattern.scope == "path" else os.path.basename(path)
    found = _stamps(name, pattern)
    if not found:
        raise FileError(path, f"file {pattern.scope} has no date matching {pattern.regex!r} ({pattern.format})")
    if len({(s, h) for s, h, _ in found}) > 1:
        shown = ", ".join(sorted({s + (f" {h}h" if h else "") for s, h, _ in found}))
        raise FileError(path, f"file {pattern.scope} holds more than one date: {shown}")
    raw, hour, text = found[0]
    try:
        day = datetime.strptime(raw, pattern.format).date()
    except ValueError:
        raise FileError(path, f"file {pattern.scope} date {raw!r} is not a real date ({pattern.format})") from None
    if hour is not None and not 0 <= int(hour) <= 23:
        raise FileError(path, f"file {pattern.scope} hour {hour!r} after the date {raw} is not an hour (00 to 23)")
    return NameStamp(day, None if hour is None else int(hour), text, pattern.format)


def name_stamp(name: str) -> NameStamp | None:
    """The date (and hour) a name plainly holds, by NAME_DATES; None when it holds none, or several."""
    for pattern in NAME_DATES:
        found = {(raw, hour, text) for raw, hour, text in _stamps(name, pattern)}
        if len(found) != 1:
            continue
        ((raw, hour, text),) = found
        try:
            day = datetime.strptime(raw, pattern.format).date()
        except ValueError:
            continue
        if hour is not None and not 0 <= int(hour) <= 23:
            hour, text = None, raw
        return NameStamp(day, None if hour is None else int(hour), text, pattern.format)
    return None


def _stamps(name: str, pattern: FileDatePattern) -> list[tuple[str, str | None, str]]:
    """(date text, hour text or None, the matched date-and-hour text) of each match.

    The date is the pattern's group `date`, else its first group, else the whole match;
    the hour is its group `hour` when it has one.
    """
    out = []
    for match in re.finditer(pattern.regex, name):
        groups = match.re.groupindex
        key = "date" if "date" in groups else (1 if match.re.groups else 0)
        hour = match.group("hour") if "hour" in groups else None
        end = max(match.end(g) for g in (key, "hour", "minutes") if g == key or (g in groups and match.group(g)))
        out.append((match.group(key), hour, name[match.start(key):end]))
    return out


def relative_name(path: str, project_dir: Path) -> str:
    """How a file is named in the warehouse: relative to the project when inside it.

    The folder is resolved, the name is not: a link is named as delivered, not after its target.
    """
    resolved = Path(path).parent.resolve() / Path(path).name
    try:
        return str(resolved.relative_to(project_dir))
    except ValueError:
        return str(resolved)
