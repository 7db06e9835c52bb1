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

from .discovery import DeliveredFile, file_date
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
        tables = [t.table_id for t in client.list_tables(dataset, timeout=_TIMEOUT)
                  if fnmatch.fnmatchcase(t.table_id, source.identifier)]
        found = [client.get_table(f"{dataset}.{name}", timeout=_TIMEOUT) for name in sorted(tables)]
    except Exception as exc:  # google.api_core errors: name the dataset, keep the message
        raise LoaderError(f"{source.key}: cannot list BigQuery dataset {dataset}: {_first_line(exc)}") from None
    return [
        DeliveredFile(path=f"{dataset}.{t.table_id}", size=t.num_bytes or 0, url=f"{dataset}.{t.table_id}",
                      fingerprint=f"{t.modified.isoformat() if t.modified else ''}|{t.num_rows}", rows=t.num_rows or 0)
        for t in found
    ]


def register_table(wh: Warehouse, source: Source, table: DeliveredFile) -> tuple[int, str | None]:
    """Record `table` as landed in the manifest; (rows, note)."""
    started, now = time.monotonic(), utcnow()
    name = table.url
    when = file_date(name, source.format.file_date)
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
