"""Land every declared source: discover, skip what is already landed, land the rest."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .discovery import DeliveredFile, checksum, discover, file_date, relative_name
from .errors import FileError
from .land import DEFAULT_MAX_LINE_BYTES, Target, land_file
from .project import Source
from .required import check_required_columns
from .sniff import sniff
from .warehouse import Warehouse, utcnow


@dataclass
class FileOutcome:
    source: str
    file_name: str
    status: str                # landed | unchanged | failed
    rows_read: int = 0
    rows_landed: int = 0
    rows_rejected: int = 0
    message: str | None = None


@dataclass
class ImportSummary:
    outcomes: list[FileOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failed(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def rows_rejected(self) -> int:
        return sum(o.rows_rejected for o in self.outcomes if o.status == "landed")


Progress = Callable[[FileOutcome, int], None]


def plan(sources: list[Source]) -> list[tuple[Source, DeliveredFile]]:
    return [(source, f) for source in sources for f in discover(source)]


def land_sources(
    wh: Warehouse,
    project_dir: Path,
    sources: list[Source],
    on_file: Progress | None = None,
) -> ImportSummary:
    """Land all new or changed files of `sources`; unchanged files are a no-op."""
    for source in sources:
        wh.ensure_raw_table(source.schema, source.identifier, source.format.source_columns)
    summary = ImportSummary()
    for source, delivered in plan(sources):
        outcome = _land_one(wh, project_dir, source, delivered)
        summary.outcomes.append(outcome)
        if on_file:
            on_file(outcome, delivered.size)
    return summary


def _land_one(wh: Warehouse, project_dir: Path, source: Source, delivered: DeliveredFile) -> FileOutcome:
    name = relative_name(delivered.path, project_dir)
    digest = checksum(delivered.path)
    previous = wh.manifest_entry(source.retailer, source.dataset, name)
    if previous and previous.status == "landed" and previous.checksum == digest:
        return FileOutcome(source.key, name, "unchanged", previous.rows_read or 0,
                           previous.rows_landed or 0, previous.rows_rejected or 0)
    started = time.monotonic()
    try:
        when = file_date(delivered.path, source.format.file_date)
        dialect = sniff(delivered.path, source.format)
        check_required_columns(delivered.path, source.format, dialect.header, source.options, source.key)
        result = land_file(
            wh,
            Target(source.retailer, source.dataset, source.schema, source.identifier),
            source.format,
            delivered.path,
            name,
            dialect,
            when,
            digest,
            delivered.size,
            max_line_bytes=int(source.options.get("max_line_bytes", DEFAULT_MAX_LINE_BYTES)),
        )
    except FileError as exc:
        # The file lands nothing; its previous rows (if any) stay as they were,
        # and the manifest says why so `status` and the next run can tell.
        wh.con.execute("begin transaction")
        wh.record_file(
            retailer=source.retailer, dataset=source.dataset, file_name=name, file_size=delivered.size,
            checksum=digest, format=source.format.name, status="failed", message=exc.problem,
            started_at=utcnow(), finished_at=utcnow(), duration_ms=int((time.monotonic() - started) * 1000),
        )
        wh.con.execute("commit")
        return FileOutcome(source.key, name, "failed", message=str(exc))
    return FileOutcome(source.key, name, "landed", result.rows_read, result.rows_landed, result.rows_rejected)
