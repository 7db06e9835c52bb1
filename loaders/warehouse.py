"""The DuckDB warehouse: raw tables, the file manifest, the rejects table and the runs.

DuckDB lets one process write a database file and no other open it, not
even to read. So a run keeps a snapshot of the loader's own tables (the
manifest and the runs, SNAPSHOT_TABLES) as Parquet files beside the
warehouse, rewritten after each change it commits; `reading()` opens the
warehouse read-only, or that snapshot while a run holds it.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Iterator

import duckdb

from .errors import DiskFull, LoaderError, disk_full
from .sql import ident, literal, qualified

META_SCHEMA = "loader"
LINEAGE_COLUMNS = {
    "_source_file": "varchar",
    "_file_date": "date",
    "_line_number": "bigint",
    "_loaded_at": "timestamp",
    "_retailer": "varchar",
    "_load_id": "bigint",
}

_META_DDL = f"""
create schema if not exists {META_SCHEMA};
create sequence if not exists {META_SCHEMA}.load_ids start 1;
create table if not exists {META_SCHEMA}.files (
    retailer varchar not null,
    dataset varchar not null,
    file_name varchar not null,
    file_size bigint,
    checksum varchar,
    file_date date,
    format varchar,
    delimiter varchar,
    encoding varchar,
    rows_read bigint,
    rows_landed bigint,
    rows_rejected bigint,
    status varchar not null,
    message varchar,
    load_id bigint,
    started_at timestamp,
    finished_at timestamp,
    duration_ms bigint
);
create table if not exists {META_SCHEMA}.rejects (
    load_id bigint,
    retailer varchar not null,
    dataset varchar not null,
    source_file varchar not null,
    line_number bigint,
    column_name varchar,
    error_type varchar,
    reason varchar,
    raw_text varchar,
    rejected_at timestamp
);
-- Builds of `run` (dbt.py): the newest load each successful build covered, so
-- the next daily build tests only the rows landed after it.
create table if not exists {META_SCHEMA}.builds (
    started_at timestamp,
    finished_at timestamp,
    last_load_id bigint,
    tests_after_load_id bigint,
    succeeded boolean
);
-- Remote sources (storage.py): what was delivered, the store's version of it,
-- and the retry state of a file that failed. Added to older warehouses too.
alter table {META_SCHEMA}.files add column if not exists delivery varchar;
alter table {META_SCHEMA}.files add column if not exists fingerprint varchar;
alter table {META_SCHEMA}.files add column if not exists attempts integer;
alter table {META_SCHEMA}.files add column if not exists retry_after timestamp;
-- A failed or duplicate delivery of a file that had landed before: the raw
-- table keeps that previous version (rows, counts, checksum, load id).
alter table {META_SCHEMA}.files add column if not exists has_previous_version boolean;
-- API sources (loaders/api/): the pages one run fetched for the delivery.
alter table {META_SCHEMA}.files add column if not exists pages integer;
-- Hourly deliveries (vendor spec 000): the hour the file name carries after its date.
alter table {META_SCHEMA}.files add column if not exists file_hour integer;
-- One row per run (land, run, import, schedule), kept current while it goes.
create sequence if not exists {META_SCHEMA}.run_ids start 1;
create table if not exists {META_SCHEMA}.runs (
    run_id bigint not null,
    command varchar not null,
    schedule varchar,
    scheduled boolean,
    sources varchar[],
    pid integer,
    started_at timestamp,
    finished_at timestamp,
    status varchar not null,
    stage varchar,
    files_landed integer,
    files_failed integer,
    rows_rejected bigint,
    message varchar
);
"""
# The loader tables a reader can see while a run holds the warehouse.
SNAPSHOT_TABLES = ("files", "runs")


def default_warehouse_path(project_dir: Path) -> Path:
    """Same rule as profiles.yml.example, so the loader and dbt share one file."""
    configured = os.environ.get("RETAIL_WAREHOUSE", "warehouse/retail.duckdb")
    path = Path(configured)
    return path if path.is_absolute() else project_dir / path


@dataclass(frozen=True)
class ManifestEntry:
    checksum: str | None
    status: str
    rows_read: int | None
    rows_landed: int | None
    rows_rejected: int | None
    file_name: str = ""
    fingerprint: str | None = None
    attempts: int | None = None
    retry_after: datetime | None = None
    has_previous_version: bool | None = None
    finished_at: datetime | None = None

    @property
    def in_raw(self) -> bool:
        """Whether the raw table holds rows of this file (the version the counts and checksum describe)."""
        return self.status in ("landed", "numbering") or bool(self.has_previous_version)


# A reader (`status`, `schedules`: `reading` below) holds its read-only connection for
# a moment, and DuckDB refuses a writer meanwhile: a run waits that long rather than fail.
READER_WAIT_SECONDS = 5.0


class Warehouse:
    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.con = _connect_for_writing(path)
        self.con.execute(_META_DDL)
        self._published = float("-inf")

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "Warehouse":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def next_load_id(self) -> int:
        return self.con.execute(f"select nextval('{META_SCHEMA}.load_ids')").fetchone()[0]

    def ensure_raw_table(self, schema: str, table: str, columns: list[str]) -> None:
        """Create the raw table if needed and add any column it lacks, as text."""
        self.con.execute(f"create schema if not exists {ident(schema)}")
        existing = self.raw_columns(schema, table)
        if not existing:
            cols = [f"{ident(c)} varchar" for c in columns]
            cols += [f"{ident(c)} {t}" for c, t in LINEAGE_COLUMNS.items()]
            self.con.execute(f"create table if not exists {qualified(schema, table)} ({', '.join(cols)})")
            return
        known = {c.lower() for c in existing}
        missing = list(dict.fromkeys(c for c in columns if c.lower() not in known))
        if len(missing) > 16:
            # One ALTER per column costs a table rewrite each: rebuild once instead.
            added = ", ".join(f"cast(null as varchar) as {ident(c)}" for c in missing)
            keep = ", ".join(ident(c) for c in existing)
            self.con.execute(
                f"create or replace table {qualified(schema, table)} as "
                f"select {keep}, {added} from {qualified(schema, table)}"
            )
            return
        for column in missing:
            self.con.execute(f"alter table {qualified(schema, table)} add column {ident(column)} varchar")

    def raw_columns(self, schema: str, table: str) -> list[str]:
        rows = self.con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, table],
        ).fetchall()
        return [r[0] for r in rows]

    _ENTRY = ("checksum, status, rows_read, rows_landed, rows_rejected, file_name, fingerprint, attempts, "
              "retry_after, has_previous_version, finished_at")

    def manifest_entry(self, retailer: str, dataset: str, file_name: str) -> ManifestEntry | None:
        row = self.con.execute(
            f"select {self._ENTRY} from {META_SCHEMA}.files where retailer = ? and dataset = ? and file_name = ?",
            [retailer, dataset, file_name],
        ).fetchone()
        return ManifestEntry(*row) if row else None

    def delivery_entries(self, retailer: str, dataset: str, delivery: str) -> list[ManifestEntry]:
        """Manifest rows of one delivered file: itself, or each member of an archive."""
        rows = self.con.execute(
            f"select {self._ENTRY} from {META_SCHEMA}.files where retailer = ? and dataset = ? "
            "and coalesce(delivery, file_name) = ? order by file_name",
            [retailer, dataset, delivery],
        ).fetchall()
        return [ManifestEntry(*row) for row in rows]

    def same_content(self, retailer: str, dataset: str, checksum: str, file_name: str) -> ManifestEntry | None:
        """Another file of the same raw table whose rows there have this content (the earliest landed)."""
        row = self.con.execute(
            f"""select {self._ENTRY} from {META_SCHEMA}.files
                where retailer = ? and dataset = ? and checksum = ? and file_name <> ? and rows_read > 0
                  and (status = 'landed' or has_previous_version)
                order by finished_at, file_name limit 1""",
            [retailer, dataset, checksum, file_name],
        ).fetchone()
        return ManifestEntry(*row) if row else None

    def record_outcome(self, entry: dict, previous: ManifestEntry | None) -> bool:
        """Record a delivery that landed nothing (failed, duplicate) in one transaction.

        When the raw table holds an earlier version of the file, that version
        stays (rows, counts, checksum, load id: what the manifest describes)
        and has_previous_version says so; otherwise the row is replaced.
        Returns whether a previous version is kept.
        """
        kept = previous is not None and previous.in_raw
        self.con.execute("begin transaction")
        try:
            if kept:
                changed = {k: entry[k] for k in ("status", "message", "delivery", "fingerprint", "attempts",
                                                 "retry_after") if k in entry}
                sets = ", ".join(f"{k} = ?" for k in changed)
                self.con.execute(
                    f"update {META_SCHEMA}.files set {sets}, has_previous_version = true "
                    "where retailer = ? and dataset = ? and file_name = ?",
                    [*changed.values(), entry["retailer"], entry["dataset"], entry["file_name"]])
            else:
                self.record_file(**entry)
            self.con.execute("commit")
        except BaseException:
            self.con.execute("rollback")
            raise
        return kept

    def note_fingerprint(self, retailer: str, dataset: str, file_name: str, delivery: str,
                         fingerprint: str | None) -> None:
        """An unchanged file seen under a new store version: remember it, so next time no download is needed."""
        self.con.execute(
            f"update {META_SCHEMA}.files set fingerprint = ?, delivery = ? "
            "where retailer = ? and dataset = ? and file_name = ?",
            [fingerprint, delivery, retailer, dataset, file_name],
        )

    def forget_file(self, retailer: str, dataset: str, file_name: str) -> None:
        self.con.execute(f"delete from {META_SCHEMA}.files where retailer = ? and dataset = ? and file_name = ?",
                         [retailer, dataset, file_name])

    def record_file(self, **entry) -> None:
        """Replace the manifest row of one file (call inside the landing transaction)."""
        self.con.execute(
            f"delete from {META_SCHEMA}.files where retailer = ? and dataset = ? and file_name = ?",
            [entry["retailer"], entry["dataset"], entry["file_name"]],
        )
        columns = ", ".join(entry)
        marks = ", ".join("?" for _ in entry)
        self.con.execute(f"insert into {META_SCHEMA}.files ({columns}) values ({marks})", list(entry.values()))

    def mark_landed(self, retailer: str, dataset: str, file_name: str, message: str | None,
                    finished_at: datetime, duration_ms: int) -> None:
        """The file's rows are complete, line numbers included (call inside the numbering transaction)."""
        self.con.execute(
            f"""update {META_SCHEMA}.files set status = 'landed', message = ?, finished_at = ?, duration_ms = ?,
                       has_previous_version = null
                where retailer = ? and dataset = ? and file_name = ?""",
            [message, finished_at, duration_ms, retailer, dataset, file_name],
        )

    def landed_files_of_date(self, retailer: str, dataset: str, file_date, besides: str) -> list[str]:
        """Names of the landed files of a source with that file date, other than `besides`."""
        return [r[0] for r in self.con.execute(
            f"select file_name from {META_SCHEMA}.files where retailer = ? and dataset = ? and file_date = ? "
            "and (status = 'landed' or coalesce(has_previous_version, false)) and file_name <> ? order by load_id",
            [retailer, dataset, file_date, besides]).fetchall()]

    def add_note(self, retailer: str, dataset: str, file_name: str, note: str) -> None:
        """Append a note to a file's manifest message (shown by `status`)."""
        self.con.execute(
            f"update {META_SCHEMA}.files set message = coalesce(message || '; ', '') || ? "
            "where retailer = ? and dataset = ? and file_name = ?", [note, retailer, dataset, file_name])

    def publish_snapshot(self, at_most_every: float = 0.0) -> None:
        """Rewrite the snapshot of SNAPSHOT_TABLES that readers use while this process holds the warehouse.

        Call it outside a transaction: it copies what is committed (each
        file atomically replaced, so a reader never sees half a file).
        `at_most_every` seconds: skip it if the last one is more recent
        (a run of many small files; its end publishes anyway).
        """
        now = time.monotonic()
        if at_most_every and now - self._published < at_most_every:
            return
        self._published = now
        folder = snapshot_dir(self.path)
        folder.mkdir(parents=True, exist_ok=True)
        for table in SNAPSHOT_TABLES:
            partial = folder / f".{table}.parquet.partial"
            try:
                self.con.execute(
                    f"copy (select * from {META_SCHEMA}.{table}) to {literal(str(partial))} (format parquet)")
            except duckdb.Error as exc:
                if disk_full(exc) is None:
                    raise
                raise DiskFull(f"no space left on device writing {partial}") from None
            os.replace(partial, folder / f"{table}.parquet")


def _connect_for_writing(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-write connection; a lock held by a reader is waited for (READER_WAIT_SECONDS): the run
    lock (lock.py) already keeps other writers out, so whoever holds it now only reads."""
    deadline = time.monotonic() + READER_WAIT_SECONDS
    pause = 0.02
    while True:
        try:
            return duckdb.connect(str(path))
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise LoaderError(f"cannot open warehouse {path}: {exc}") from None
        except duckdb.Error as exc:
            raise LoaderError(f"cannot open warehouse {path}: {exc}") from None
        time.sleep(pause)
        pause = min(pause * 2, 0.5)


def manifest_rows(con) -> list[dict]:
    """Every file of the manifest, as `status` shows it (any connection: read-only ones and the
    snapshot a run keeps, see `reading`)."""
    cursor = con.execute(
        f"""select retailer || '.' || dataset as source, retailer, dataset, file_name, file_date, file_hour, status,
                   coalesce(has_previous_version, false) as previous_version_kept, rows_read, rows_landed,
                   rows_rejected, finished_at, message, encoding
            from {META_SCHEMA}.files order by retailer, dataset, file_date nulls last, file_hour nulls first,
                     file_name""")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def snapshot_dir(path: Path) -> Path:
    return path.with_name(path.name + ".snapshot")


@dataclass(frozen=True)
class Reading:
    con: duckdb.DuckDBPyConnection
    snapshot_at: datetime | None   # None: the warehouse itself; else the time of the snapshot read instead


@contextmanager
def reading(path: Path) -> Iterator[Reading]:
    """A connection to read the loader's tables (loader.files, loader.runs), also while a run is going on.

    The warehouse is opened read-only; when another process holds it (a
    run: DuckDB allows one writer and no reader beside it), the snapshot
    that run keeps current is read instead, under the same table names.
    """
    if not path.exists():
        raise LoaderError(f"no warehouse at {path} yet: run `retail-imports land` first")
    try:
        con = duckdb.connect(str(path), read_only=True)
        snapshot_at = None
    except duckdb.IOException as exc:
        if "lock" not in str(exc).lower():
            raise LoaderError(f"cannot open warehouse {path}: {exc}") from None
        con, snapshot_at = _snapshot_connection(path)
    try:
        yield Reading(con, snapshot_at)
    finally:
        con.close()


def _snapshot_connection(path: Path) -> tuple[duckdb.DuckDBPyConnection, datetime]:
    folder = snapshot_dir(path)
    files = {t: folder / f"{t}.parquet" for t in SNAPSHOT_TABLES}
    if not all(f.exists() for f in files.values()):
        raise LoaderError(f"{path} is held by a run that keeps no snapshot yet; try again in a moment")
    con = duckdb.connect()
    con.execute(f"create schema {META_SCHEMA}")
    for table, file in files.items():
        con.execute(f"create view {META_SCHEMA}.{table} as select * from read_parquet({literal(str(file))})")
    taken = max(f.stat().st_mtime for f in files.values())
    return con, datetime.utcfromtimestamp(taken).replace(microsecond=0)


def utcnow() -> datetime:
    return datetime.utcnow().replace(microsecond=0)
