"""Publish the landed raw layer to BigQuery: raw tables, manifest and rejects.

The loader parses and validates every file locally (land.py: DuckDB's CSV
reader, line numbers, loader.rejects), so bad-row handling is the same on both
targets; this module then uploads what landed with BigQuery load jobs
(`load_table_from_file`, CSV with an explicit schema) into datasets of the same
names (raw_<retailer>.<table>, loader.files, loader.rejects). DECISIONLOG
"BigQuery raw layer" says why load jobs and not external tables over GCS.

Raw tables are append-only by `_load_id`: only loads BigQuery lacks are sent,
so a daily publish uploads the day's files, not history. The manifest and the
rejects are small and rewritten whole (their rows change: status, retries).
"""

from __future__ import annotations

import os
import socket
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import duckdb

from .errors import LoaderError, missing_extra
from .sql import ident, qualified
from .warehouse import META_SCHEMA

# DuckDB column type -> BigQuery column type of the uploaded table.
_TYPES = {
    "VARCHAR": "STRING",
    "BIGINT": "INT64",
    "INTEGER": "INT64",
    "DATE": "DATE",
    "TIMESTAMP": "TIMESTAMP",
    "TIMESTAMP WITH TIME ZONE": "TIMESTAMP",
    "DOUBLE": "FLOAT64",
    "BOOLEAN": "BOOL",
}
_TIMEOUT = 60  # seconds per API call: a dead endpoint must not make the client retry for minutes


@dataclass(frozen=True)
class Target:
    """Where to publish: from BIGQUERY_PROJECT / BIGQUERY_LOCATION / BIGQUERY_API_ENDPOINT."""

    project: str
    location: str | None = None
    api_endpoint: str | None = None  # a local emulator (tests); unset for real BigQuery

    @classmethod
    def from_env(cls) -> "Target":
        project = os.environ.get("BIGQUERY_PROJECT", "")
        if not project:
            raise LoaderError("BIGQUERY_PROJECT is not set: name the Google Cloud project to publish to")
        return cls(project, os.environ.get("BIGQUERY_LOCATION") or None,
                   os.environ.get("BIGQUERY_API_ENDPOINT") or None)


@dataclass
class PublishSummary:
    tables: dict[str, int] = field(default_factory=dict)  # dataset.table -> rows uploaded


def is_bigquery_target() -> bool:
    """`retail-imports run` publishes first when dbt builds on a BigQuery target."""
    return os.environ.get("RETAIL_TARGET", "duckdb") in ("bigquery", "emulator")


def check_reachable(endpoint: str, timeout: float = 3.0) -> None:
    """Fail fast on a dead endpoint: the Google client would retry it for minutes."""
    url = urlparse(endpoint)
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        with socket.create_connection((url.hostname or "", port), timeout=timeout):
            pass
    except OSError as exc:
        raise LoaderError(f"BigQuery endpoint {endpoint} is not reachable: {exc}") from None


def client(target: Target):
    try:
        from google.cloud import bigquery  # imported late: slow, and only this path needs it
    except ImportError as exc:
        raise missing_extra("bigquery", exc) from None

    if target.api_endpoint:
        from google.api_core.client_options import ClientOptions
        from google.auth.credentials import AnonymousCredentials

        check_reachable(target.api_endpoint)
        return bigquery.Client(project=target.project, location=target.location,
                               credentials=AnonymousCredentials(),
                               client_options=ClientOptions(api_endpoint=target.api_endpoint))
    # Application default credentials: GOOGLE_APPLICATION_CREDENTIALS (a service
    # account key) or `gcloud auth application-default login`.
    return bigquery.Client(project=target.project, location=target.location)


def _tables(con) -> list[tuple[str, str]]:
    rows = con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_type = 'BASE TABLE' and (table_schema like 'raw\\_%' escape '\\' or table_schema = ?) "
        "order by 1, 2",
        [META_SCHEMA],
    ).fetchall()
    # loader.runs is the loader's own log of its runs (schedules, status): no model reads it
    return [(s, t) for s, t in rows if (s, t) != (META_SCHEMA, "runs")]


def _schema(con, schema: str, table: str) -> list[tuple[str, str]]:
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    out = []
    for name, duck_type in rows:
        bq_type = _TYPES.get(duck_type.upper())
        if bq_type is None:
            raise LoaderError(f"{schema}.{table}.{name}: no BigQuery type for DuckDB type {duck_type}")
        out.append((name, bq_type))
    return out


def _upload(bq, con, target: Target, schema: str, table: str, columns, where: str, truncate: bool) -> int:
    from google.cloud import bigquery

    with tempfile.TemporaryDirectory(prefix="retail-bq-") as tmp:
        path = Path(tmp) / f"{table}.csv"
        # Timestamps as ISO text in UTC, which BigQuery's CSV reader accepts.
        select = ", ".join(
            f"strftime({ident(c)}, '%Y-%m-%d %H:%M:%S.%f') as {ident(c)}" if t == "TIMESTAMP" else ident(c)
            for c, t in columns
        )
        con.execute(f"copy (select {select} from {qualified(schema, table)} where {where}) "
                    f"to '{path}' (format csv, header true)")
        rows = con.execute(f"select count(*) from {qualified(schema, table)} where {where}").fetchone()[0]
        if rows == 0 and not truncate:
            return 0
        with open(path, "rb") as handle:
            lines = sum(1 for _ in handle)
        config = bigquery.LoadJobConfig(
            source_format="CSV",
            skip_leading_rows=1,
            schema=[bigquery.SchemaField(c, t) for c, t in columns],
            write_disposition="WRITE_TRUNCATE" if truncate else "WRITE_APPEND",
        )
        if lines > rows + 1:
            # A value holds a line break. Only then: quoted newlines stop BigQuery
            # from splitting a CSV file across workers.
            config.allow_quoted_newlines = True
        with open(path, "rb") as handle:
            job = bq.load_table_from_file(handle, f"{target.project}.{schema}.{table}",
                                          job_config=config, timeout=_TIMEOUT)
        try:
            job.result(timeout=_TIMEOUT * 5)
        except Exception as exc:  # google.api_core errors: name the table, keep the message
            raise LoaderError(f"BigQuery load of {schema}.{table} failed: {exc}") from None
        return rows


def publish(warehouse: Path, target: Target) -> PublishSummary:
    """Upload the raw tables' new loads, the manifest and the rejects to BigQuery."""
    bq = client(target)
    summary = PublishSummary()
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        for schema, table in _tables(con):
            bq.create_dataset(f"{target.project}.{schema}", exists_ok=True, timeout=_TIMEOUT)
            columns = _schema(con, schema, table)
            remote = _remote_columns(bq, target, schema, table)
            if schema == META_SCHEMA or remote is None or remote != columns:
                # Bookkeeping, a new table, or a raw table that gained columns: whole.
                summary.tables[f"{schema}.{table}"] = _upload(bq, con, target, schema, table, columns, "true", True)
                continue
            known = [r[0] for r in bq.query(
                f"select distinct _load_id from `{target.project}.{schema}.{table}`", timeout=_TIMEOUT
            ).result(timeout=_TIMEOUT)]
            where = "true" if not known else f"_load_id not in ({', '.join(str(int(k)) for k in known if k is not None) or 'null'})"
            summary.tables[f"{schema}.{table}"] = _upload(bq, con, target, schema, table, columns, where, False)
    finally:
        con.close()
    return summary


def _remote_columns(bq, target: Target, schema: str, table: str):
    from google.api_core.exceptions import NotFound

    try:
        remote = bq.get_table(f"{target.project}.{schema}.{table}", timeout=_TIMEOUT)
    except NotFound:
        return None
    return [(f.name, {"INTEGER": "INT64", "FLOAT": "FLOAT64", "BOOLEAN": "BOOL"}.get(f.field_type, f.field_type))
            for f in remote.schema]
