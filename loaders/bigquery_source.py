"""Sources of kind `bigquery`: tables already in BigQuery, read in place.

A GA4 property exports its events to BigQuery itself, one table a day
(`analytics_<property>.events_YYYYMMDD`, and `events_intraday_YYYYMMDD`
while the day runs). Nothing needs moving: each table the source's dbt
declaration names (`database`, `schema`, `identifier: "events_*"`) is a
delivery, listed from BigQuery's metadata (no query, no download), and
registering it in the manifest is its landing: a load id, its row count
and the date in its name. dbt then reads the registered tables in place
(macro bigquery_source_rows). A table whose metadata changed (an intraday
table still growing, a day GA4 re-exported) is registered again with a new
load id; a daily table arriving marks the intraday one of its day replaced.
"""

from __future__ import annotations

import fnmatch
import time

from .discovery import DeliveredFile, file_stamp
from .errors import LoaderError
from .project import Source
from .warehouse import META_SCHEMA, Warehouse, utcnow

_TIMEOUT = 60
# GA4's table names: events_YYYYMMDD for a finished day, events_intraday_YYYYMMDD while it runs
_DAILY, _INTRADAY = ".events_", ".events_intraday_"


def list_tables(source: Source) -> list[DeliveredFile]:
    """The source's tables (identifier glob in its dataset), oldest name first."""
    from . import bigquery

    target = bigquery.Target.from_env()
    project = source.database or target.project
    client = bigquery.client(bigquery.Target(project, target.location, target.api_endpoint))
    dataset = f"{project}.{source.schema}"
    try:
        tables = _table_metadata(client, dataset)
    except Exception as exc:  # google.api_core errors: name the dataset, keep the message
        raise LoaderError(f"{source.key}: cannot list BigQuery dataset {dataset}: {_first_line(exc)}") from None
    return [
        DeliveredFile(path=f"{dataset}.{name}", size=size, url=f"{dataset}.{name}", fingerprint=f"{modified}|{rows}",
                      rows=rows)
        for name, rows, size, modified in sorted(tables) if fnmatch.fnmatchcase(name, source.identifier)
    ]


def _table_metadata(client, dataset: str) -> list[tuple[str, int, int, str]]:
    """(table, rows, bytes, last modified) of every table of `dataset`, from metadata only.

    One query of the dataset's __TABLES__ (free, whatever the number of days);
    where that is not available (the emulator of the tests), one API call per table.
    """
    try:
        rows = client.query(f"select table_id, row_count, size_bytes, last_modified_time from `{dataset}.__TABLES__`",
                            timeout=_TIMEOUT).result(timeout=_TIMEOUT)
        return [(r[0], int(r[1] or 0), int(r[2] or 0), str(r[3])) for r in rows]
    except Exception:  # noqa: BLE001  any refusal: fall back to the table API
        names = [t.table_id for t in client.list_tables(dataset, timeout=_TIMEOUT)]
        found = [client.get_table(f"{dataset}.{name}", timeout=_TIMEOUT) for name in names]
        return [(t.table_id, t.num_rows or 0, t.num_bytes or 0, t.modified.isoformat() if t.modified else "")
                for t in found]


def register_table(wh: Warehouse, source: Source, table: DeliveredFile) -> tuple[int, str | None]:
    """Record `table` as landed in the manifest; (rows, note)."""
    started, now = time.monotonic(), utcnow()
    name = table.url
    stamp = file_stamp(name, source.format.file_date)
    when = stamp.date if stamp else None
    note = None
    wh.con.execute("begin transaction")
    try:
        if _INTRADAY in name:
            daily = name.replace(_INTRADAY, _DAILY)
            if wh.manifest_entry(source.retailer, source.dataset, daily):
                note = f"replaced by the daily table {daily}"
        else:
            # GA4 writes the day's daily table once the day is over: it replaces the intraday one
            intraday = name.replace(_DAILY, _INTRADAY)
            if intraday != name and wh.manifest_entry(source.retailer, source.dataset, intraday):
                wh.con.execute(
                    f"update {META_SCHEMA}.files set message = ? where retailer = ? and dataset = ? and file_name = ?",
                    [f"replaced by the daily table {name}", source.retailer, source.dataset, intraday])
        wh.record_file(
            retailer=source.retailer, dataset=source.dataset, file_name=name, file_size=table.size, checksum=None,
            file_date=when, format=source.format.name, delimiter="bigquery table", encoding=None,
            rows_read=table.rows, rows_landed=table.rows, rows_rejected=0, status="landed", message=note,
            load_id=wh.next_load_id(), started_at=now, finished_at=utcnow(),
            duration_ms=int((time.monotonic() - started) * 1000), delivery=name, fingerprint=table.fingerprint,
        )
        wh.con.execute("commit")
    except BaseException:
        wh.con.execute("rollback")
        raise
    return table.rows, note


def check_target(source: Source) -> None:
    """A `bigquery` source is read by dbt on BigQuery; on DuckDB there is nothing to read it from."""
    from .bigquery import is_bigquery_target

    if not is_bigquery_target():
        raise LoaderError(f"{source.key}: a source of kind bigquery is read in place by dbt on BigQuery: set "
                          "RETAIL_TARGET=bigquery (on DuckDB, deliver its export files with source: files)")


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]
