"""The DuckDB warehouse: raw tables, the file manifest and the rejects table."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from .errors import LoaderError
from .sql import ident, qualified

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
"""


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


class Warehouse:
    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(str(path))
        except duckdb.Error as exc:
            raise LoaderError(f"cannot open warehouse {path}: {exc}") from None
        self.con.execute(_META_DDL)

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

def manifest_rows(con) -> list[dict]:
    """Every file of the manifest, as `status` shows it (any connection: read-only ones too)."""
    cursor = con.execute(
        f"""select retailer || '.' || dataset as source, retailer, dataset, file_name, file_date, status,
                   coalesce(has_previous_version, false) as previous_version_kept, rows_read, rows_landed,
                   rows_rejected, finished_at, message, encoding
            from {META_SCHEMA}.files order by retailer, dataset, file_date nulls last, file_name""")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def utcnow() -> datetime:
    return datetime.utcnow().replace(microsecond=0)
