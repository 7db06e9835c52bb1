"""Land every declared source: discover, skip what is already landed, land the rest.

Per delivered file: if the store's fingerprint says it is the version
already landed, it is skipped without being downloaded. Otherwise it is
fetched (remote stores stream it to a temporary file), unpacked and decoded
to UTF-8 (decode.py) into one or more units (a zip gives one per member),
and each unit whose content checksum changed lands in its own transaction.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Callable

import duckdb

from . import decode
from .discovery import DeliveredFile, NameStamp, discover, file_stamp
from .errors import DiskFull, FileError, LoaderError, disk_full
from .formats import FileDatePattern
from .interrupts import deferred_signals, interrupted
from .land import DEFAULT_MAX_COLUMNS, DEFAULT_MAX_LINE_BYTES, Target, forget_file_rows, land_file
from .project import Source, SourceProblem
from .required import case_notes, check_required_columns, optional_notice
from .sniff import sniff
from .sql import qualified
from .tempdirs import remove_stale
from .warehouse import ManifestEntry, Warehouse, utcnow

DEFAULT_RETRY_BACKOFF_SECONDS = 300
DEFAULT_RETRY_MAX_BACKOFF_SECONDS = 86_400


@dataclass
class FileOutcome:
    source: str
    file_name: str
    status: str                # landed | unchanged | duplicate | failed | waiting
    rows_read: int = 0
    rows_landed: int = 0
    rows_rejected: int = 0
    message: str | None = None
    encoding: str | None = None
    detected: bool = False     # the encoding was auto-detected
    notes: list[str] = field(default_factory=list)   # landed, but worth a warning (fields not read)
    doubt: str | None = None   # why the detected encoding may be wrong
    previous_version_kept: bool = False   # failed / duplicate: the raw table keeps the file's earlier version
    warnings: list[str] = field(default_factory=list)   # landed, but something the user must know


@dataclass
class ImportSummary:
    outcomes: list[FileOutcome] = field(default_factory=list)
    warnings: dict[str, str] = field(default_factory=dict)   # source -> what to say at every land (optional_columns)
    downloaded_files: int = 0
    downloaded_bytes: int = 0
    remote: bool = False       # some source is remote: say how much was downloaded

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failed(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def rows_rejected(self) -> int:
        return sum(o.rows_rejected for o in self.outcomes if o.status == "landed")


@dataclass
class Plan:
    files: list[tuple[Source, DeliveredFile]] = field(default_factory=list)
    # sources whose declaration is wrong or whose location could not be listed (or is missing)
    errors: list[FileOutcome] = field(default_factory=list)
    empty: list[Source] = field(default_factory=list)   # sources whose location matches no file

    @property
    def total_bytes(self) -> int:
        return sum(f.size for _, f in self.files)


Progress = Callable[[FileOutcome, int], None]


def _check_width(path: str, dialect, cap: int) -> None:
    if dialect.header is not None and len(dialect.header) > cap:
        raise FileError(path, f"header has {len(dialect.header)} columns, more than max_columns ({cap}); "
                              "raise max_columns in the source's meta.loader if this is expected", line=1)


def plan(sources: list[Source], problems: list[SourceProblem] = ()) -> Plan:
    """Every delivered file of every source. A source that is declared wrong or cannot be listed fails
    on its own, not the run."""
    result = Plan(errors=[FileOutcome(p.key, "", "failed", message=p.message) for p in problems])
    for source in sources:
        try:
            decode.Limits.from_options(source.options)
            decode.compression_of("", source.options.get("compression"))
            found = discover(source)
        except LoaderError as exc:
            result.errors.append(FileOutcome(source.key, source.location, "failed", message=str(exc)))
            continue
        result.files += [(source, f) for f in found]
        if not found:
            result.empty.append(source)
    return result


def ensure_raw_tables(wh: Warehouse, sources: list[Source]) -> None:
    """Every source's raw table exists (empty until files land), so dbt builds the whole project."""
    for source in sources:
        if source.kind != "bigquery":   # read in place: no raw table
            wh.ensure_raw_table(source.schema, source.identifier, source.format.source_columns)


def land_sources(
    wh: Warehouse,
    project_dir: Path,
    sources: list[Source],
    on_file: Progress | None = None,
    planned: Plan | None = None,
    honour_backoff: bool = False,
    on_stage: Callable[[str], None] | None = None,
) -> ImportSummary:
    """Land all new or changed files of `sources`; unchanged files are a no-op.

    With honour_backoff (scheduled runs), a file that failed is tried again
    only once its back-off has passed, or as soon as it changes. `on_stage`
    hears each stage (download, landing of a file) as it starts. Ctrl-C or
    SIGTERM stops at once: the file in progress rolls back whole and is
    marked `cancelled`, the files before it stay landed.
    """
    planned = planned or plan(sources)
    remove_stale()   # private folders of runs killed before they could remove them
    ensure_raw_tables(wh, sources)
    summary = ImportSummary(outcomes=list(planned.errors),
                            remote=any(s.kind != "files" or "://" in s.location for s in sources))
    summary.warnings = {s.key: optional_notice(s.format) for s in sources if s.format.optional}
    for source, delivered in planned.files:
        outcomes = _land_delivery(wh, project_dir, source, delivered, summary, honour_backoff,
                                  on_stage or (lambda stage: None))
        summary.outcomes += outcomes
        wh.publish_snapshot(at_most_every=1.0)   # `schedules` / `status` read it while this run holds the file
        if on_file:
            on_file(outcomes[-1], delivered.size)
    return summary


def _land_delivery(wh: Warehouse, project_dir: Path, source: Source, delivered: DeliveredFile,
                   summary: ImportSummary, honour_backoff: bool, on_stage: Callable[[str], None]) -> list[FileOutcome]:
    name = delivered.display_name(project_dir)
    fingerprint = delivered.fingerprint
    if delivered.problem:
        return [_record_failure(wh, source, name, name, fingerprint, delivered.size, None, delivered.problem)]
    entries = wh.delivery_entries(source.retailer, source.dataset, name)
    same_version = bool(fingerprint) and bool(entries) and all(e.fingerprint == fingerprint for e in entries)
    if same_version and all(e.status in ("landed", "duplicate") for e in entries) \
            and source.options.get("change_detection", "fingerprint") != "checksum":
        return [FileOutcome(source.key, e.file_name, "unchanged", e.rows_read or 0, e.rows_landed or 0,
                            e.rows_rejected or 0) for e in entries]
    if honour_backoff and same_version:
        waits = [e for e in entries if e.status == "failed" and e.retry_after and e.retry_after > utcnow()]
        if waits:
            last = max(waits, key=lambda e: e.retry_after)
            return [FileOutcome(source.key, name, "waiting", message=(
                f"{name}: failed {last.attempts or 1} time(s), unchanged since; next try after "
                f"{last.retry_after:%Y-%m-%d %H:%M:%S} UTC"))]

    if source.kind == "bigquery":
        # read in place by dbt: landing it is registering it
        from .bigquery_source import register_table

        try:
            rows, note = register_table(wh, source, delivered)
        except BaseException as exc:
            if interrupted(exc):
                _cancel(wh, source, name, name, fingerprint, delivered.size, "registration")
            raise
        return [FileOutcome(source.key, name, "landed", rows, rows, 0, message=note)]
    outcomes: list[FileOutcome] = []
    current, stage = name, "download"
    with decode.workdir() as work:   # under $TMPDIR
        try:
            local = delivered.path
            if delivered.is_remote:
                on_stage(f"download {name}")
                local = os.path.join(work, "download")
                summary.downloaded_bytes += delivered.fetch(local)
                summary.downloaded_files += 1
            options = {"encoding": source.format.encoding, **source.options}  # the format's default, or the source's
            stage = "unpacking"
            for unit in decode.units(local, name, options, work):
                current, stage = unit.name, "landing"
                on_stage(f"landing {unit.name}")
                outcomes.append(_land_unit(wh, source, unit, name, fingerprint, delivered.file_date,
                                           delivered.fetched))
                current, stage = name, "unpacking"
        except FileError as exc:
            outcomes.append(_record_failure(wh, source, name, name, fingerprint, delivered.size, None,
                                            exc.problem, exc.line))
            return outcomes
        except BaseException as exc:
            if interrupted(exc):
                _cancel(wh, source, current, name, fingerprint, delivered.size, stage)
            full = disk_full(exc) if isinstance(exc, Exception) else None
            if full is None:
                raise
            raise DiskFull(f"{full}, while landing {name}: that file was rolled back, the files landed before it "
                           "are complete; free some space (or point TMPDIR / --warehouse elsewhere) and run "
                           "again") from None
    if any(o.file_name != name for o in outcomes):
        # An archive that failed as a whole before: its members speak for it now.
        wh.forget_file(source.retailer, source.dataset, name)
    return outcomes


def _land_unit(wh: Warehouse, source: Source, unit: decode.Unit, delivery: str,
               fingerprint: str | None, known_date: date | None = None,
               fetched: dict | None = None) -> FileOutcome:
    if unit.error:
        return _record_failure(wh, source, unit.name, delivery, fingerprint, unit.size, unit.checksum,
                               unit.error.problem, unit.error.line)
    previous = wh.manifest_entry(source.retailer, source.dataset, unit.name)
    if previous and previous.status == "landed" and previous.checksum == unit.checksum:
        # Same content under a new store version (touched, re-uploaded): remember the version.
        wh.note_fingerprint(source.retailer, source.dataset, unit.name, delivery, fingerprint)
        return FileOutcome(source.key, unit.name, "unchanged", previous.rows_read or 0,
                           previous.rows_landed or 0, previous.rows_rejected or 0)
    twin = wh.same_content(source.retailer, source.dataset, unit.checksum, unit.name)
    if twin is not None:
        return _record_duplicate(wh, source, unit, delivery, fingerprint, previous, twin, known_date)
    max_line_bytes = int(source.options.get("max_line_bytes", DEFAULT_MAX_LINE_BYTES))
    max_columns = int(source.options.get("max_columns", DEFAULT_MAX_COLUMNS))
    doubt = source.personal.mask_quotes(unit.doubt)   # it quotes words of the file: stored and shown
    notes = [n for n in (_doubt_note(unit.encoding, doubt), (fetched or {}).get("note")) if n]
    try:
        stamp = NameStamp(known_date) if known_date else _file_stamp(unit, source.format.file_date)
        dialect = sniff(unit.path, source.format, max_line_bytes, max_columns)
        _check_width(unit.path, dialect, max_columns)
        check_required_columns(unit.path, source.format, dialect.header, source.options, source.key)
        case = case_notes(source.format, dialect.header)
        if case:
            dialect = replace(dialect, note="; ".join(filter(None, [dialect.note, *case])))
        result = land_file(
            wh,
            Target(source.retailer, source.dataset, source.schema, source.identifier),
            source.format,
            unit.path,
            unit.name,
            dialect,
            stamp.date if stamp else None,
            unit.checksum,
            unit.size,
            max_line_bytes=max_line_bytes,
            encoding=None if unit.encoding == "utf-8" else unit.encoding,
            line_count=unit.lines,
            manifest_extra={"delivery": delivery, "fingerprint": fingerprint, "pages": (fetched or {}).get("pages"),
                            "file_hour": stamp.hour if stamp else None},
            max_columns=max_columns,
            long_lines=unit.long_lines,
            note="; ".join(notes) or None,
            personal=source.personal,
        )
    except FileError as exc:
        # The file lands nothing; its previous rows (if any) stay as they were,
        # and the manifest says why so `status` and the next run can tell.
        return _record_failure(wh, source, unit.name, delivery, fingerprint, unit.size, unit.checksum,
                               exc.problem, exc.line)
    outcome = FileOutcome(source.key, unit.name, "landed", result.rows_read, result.rows_landed,
                          result.rows_rejected, encoding=unit.encoding, detected=unit.detected, doubt=doubt,
                          notes=case)
    if source.format.one_file_per_date and stamp is not None:
        _warn_second_file_of_date(wh, source, outcome, stamp)
    return outcome


def _doubt_note(encoding: str, doubt: str | None) -> str | None:
    if not doubt:
        return None
    return f"encoding {encoding} auto-detected but uncertain: {doubt}; set the source's encoding if that is wrong"


def _record_duplicate(wh: Warehouse, source: Source, unit: decode.Unit, delivery: str, fingerprint: str | None,
                      previous: ManifestEntry | None, twin: ManifestEntry, known_date: date | None) -> FileOutcome:
    """Same content as a file already landed under another name: not landed again, so no row is doubled.
    Its name's date (and hour) is recorded all the same: `status` and the delivery audits show it."""
    try:
        stamp = NameStamp(known_date) if known_date else _file_stamp(unit, source.format.file_date)
    except FileError:
        stamp = None   # a name that breaks the format's pattern: the duplicate says enough
    landed_at = f" on {twin.finished_at:%Y-%m-%d %H:%M} UTC" if twin.finished_at else ""
    problem = (f"same content as {twin.file_name} (landed{landed_at}): not landed again, so its "
               f"{twin.rows_landed} rows are not doubled; if this file should hold other data, ask for it again")
    now = utcnow()
    kept = wh.record_outcome(dict(
        retailer=source.retailer, dataset=source.dataset, file_name=unit.name, file_size=unit.size,
        checksum=unit.checksum, format=source.format.name, status="duplicate", message=problem, started_at=now,
        finished_at=now, duration_ms=0, delivery=delivery, fingerprint=fingerprint,
        file_date=stamp.date if stamp else None, file_hour=stamp.hour if stamp else None), previous)
    message = f"{unit.name}: {problem}" + ("; its previous version is kept" if kept else "")
    return FileOutcome(source.key, unit.name, "duplicate", message=message, previous_version_kept=kept)


def _warn_second_file_of_date(wh: Warehouse, source: Source, outcome: FileOutcome, stamp: NameStamp) -> None:
    """The format allows one file per date (spec 002): a second one replaces the first in the marts; say so."""
    others = wh.landed_files_of_date(source.retailer, source.dataset, stamp.date, outcome.file_name)
    if not others:
        return
    warning = (f"{outcome.file_name}: a second file for {stamp.date.isoformat()} (after "
               f"{', '.join(others)}); {source.format.name} allows one file per date, so this newest delivery "
               "replaces the other's rows in the marts")
    outcome.warnings.append(warning)
    wh.add_note(source.retailer, source.dataset, outcome.file_name, warning.split(": ", 1)[1])


def _file_stamp(unit: decode.Unit, pattern: FileDatePattern | None) -> NameStamp | None:
    """The date (and hour) in the unit's name; an archive member without one takes its archive's."""
    first = None
    for candidate in unit.date_names:
        try:
            stamp = file_stamp(candidate, pattern)
        except FileError as exc:
            first = first or exc
            if "has no date" not in exc.problem:
                break
            continue
        if stamp is not None or pattern is not None:
            return stamp
    if first is None:
        return None   # the format asks for no date, and no name plainly holds one
    raise FileError(unit.name, first.problem) from None


def _cancel(wh: Warehouse, source: Source, name: str, delivery: str, fingerprint: str | None, size: int,
            stage: str) -> None:
    """Record the interrupted file (signals held back meanwhile), then end the run as interrupted."""
    with deferred_signals():
        _record_cancelled(wh, source, name, delivery, fingerprint, size, stage)
    raise KeyboardInterrupt from None


def _record_cancelled(wh: Warehouse, source: Source, name: str, delivery: str, fingerprint: str | None,
                      size: int, stage: str) -> None:
    """The file in progress when the run was interrupted: nothing of its new version stays.

    Its landing transaction has rolled back. A previous version that was
    landed stays as it was (a failed or duplicate re-delivery's kept version
    too: the manifest says `cancelled`, has_previous_version stays true); a
    file killed between its rows and its line numbers (`numbering`) has its
    rows removed; otherwise its manifest row says `cancelled`, and the next
    run lands it.
    """
    try:
        wh.con.execute("rollback")   # whatever was open when the signal came
    except duckdb.Error:
        pass
    previous = wh.manifest_entry(source.retailer, source.dataset, name)
    if previous and previous.status == "landed":
        return
    now = utcnow()
    entry = dict(
        retailer=source.retailer, dataset=source.dataset, file_name=name, file_size=size,
        checksum=None, format=source.format.name, status="cancelled",
        message=f"interrupted during {stage}: nothing of this version landed; the next run lands it",
        started_at=now, finished_at=now, duration_ms=0, delivery=delivery, fingerprint=None,
    )
    if previous and previous.status == "numbering":
        # its rows are this (or a killed run's) version without line numbers: not a version to keep
        wh.con.execute("begin transaction")
        forget_file_rows(wh.con, Target(source.retailer, source.dataset, source.schema, source.identifier),
                         qualified(source.schema, source.identifier), name)
        wh.record_file(**entry)
        wh.con.execute("commit")
    else:
        wh.record_outcome(entry, previous)
    wh.publish_snapshot()


def _record_failure(wh: Warehouse, source: Source, name: str, delivery: str, fingerprint: str | None, size: int,
                    checksum: str | None, problem: str, line: int | None = None) -> FileOutcome:
    """The file lands nothing. A version of it landed before stays until a good one replaces it:
    raw, marts and manifest keep agreeing, and the manifest says the delivery failed."""
    previous = wh.manifest_entry(source.retailer, source.dataset, name)
    attempts = (previous.attempts or 1) + 1 if previous and previous.status == "failed" else 1
    now = utcnow()
    retry_after = now + timedelta(seconds=_backoff(source.options, attempts))
    kept = wh.record_outcome(dict(
        retailer=source.retailer, dataset=source.dataset, file_name=name, file_size=size,
        checksum=checksum, format=source.format.name, status="failed", message=problem,
        started_at=now, finished_at=now, duration_ms=0, delivery=delivery, fingerprint=fingerprint,
        attempts=attempts, retry_after=retry_after,
    ), previous)
    message = str(FileError(name, problem, line))
    if kept:
        landed_at = f", landed {previous.finished_at:%Y-%m-%d %H:%M} UTC" if previous.finished_at else ""
        message += f"; previous version kept ({previous.rows_landed} rows{landed_at})"
    return FileOutcome(source.key, name, "failed", message=message, previous_version_kept=kept)


def _backoff(options: dict, attempts: int) -> float:
    """Seconds to wait before trying a failed file again: doubling from the base, capped."""
    try:
        base = float(options.get("retry_backoff_seconds", DEFAULT_RETRY_BACKOFF_SECONDS))
        cap = float(options.get("retry_max_backoff_seconds", DEFAULT_RETRY_MAX_BACKOFF_SECONDS))
    except (TypeError, ValueError):
        raise LoaderError("retry_backoff_seconds and retry_max_backoff_seconds must be numbers") from None
    return min(base * 2 ** (attempts - 1), cap)

