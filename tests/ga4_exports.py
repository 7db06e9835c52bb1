"""The real GA4 sample (../shared/realdata/ga4-obfuscated-sample) cut and re-written as
the files a BigQuery export of `events_YYYYMMDD` gives, for the GA4 tests.

BigQuery writes one file set per daily table; as newline-delimited JSON it
writes 64-bit integers as JSON strings (so they keep their precision), and
these files do the same, and leave null fields out, so the tests see the
encoding furthest from the Parquet one.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import duckdb

from conftest import REALDATA

SAMPLE = REALDATA / "ga4-obfuscated-sample" / "ga4_events_sampled.snappy.parquet"


def connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    return con


def days() -> list[str]:
    with connect() as con:
        return [d for (d,) in con.execute(
            f"select distinct event_date from read_parquet('{SAMPLE}') order by 1").fetchall()]


def write_daily_parquet(folder: Path, dates: list[str] | None = None) -> list[Path]:
    """events_YYYYMMDD.parquet per day, rows in the sample's order."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with connect() as con:
        for day in dates or days():
            path = folder / f"events_{day}.parquet"
            con.execute(f"""copy (select * exclude (file_row_number)
                                  from read_parquet('{SAMPLE}', file_row_number = true)
                                  where event_date = '{day}' order by file_row_number) to '{path}' (format parquet)""")
            written.append(path)
    return written


def _bigquery_json(value):
    """BigQuery's JSON export: INT64 as strings, null fields left out."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        return {k: _bigquery_json(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_bigquery_json(v) for v in value]
    return value


def ndjson_lines(parquet: Path) -> list[str]:
    """The rows of `parquet` as BigQuery writes them in NEWLINE_DELIMITED_JSON, in file order."""
    with connect() as con:
        rows = con.execute(f"""select cast(to_json(t) as varchar) from (
                                   select * exclude (file_row_number) from read_parquet('{parquet}', file_row_number = true)
                                   order by file_row_number) as t""").fetchall()
    return [json.dumps(_bigquery_json(json.loads(text)), ensure_ascii=False) for (text,) in rows]


def write_ndjson(parquet: Path, dest: Path, compress: bool = True) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    data = ("\n".join(ndjson_lines(parquet)) + "\n").encode("utf-8")
    dest.write_bytes(gzip.compress(data, mtime=0) if compress else data)
    return dest
