"""GA4 export tables on the BigQuery emulator: days of the real sample as native
`events_YYYYMMDD` tables (nested records and repeated fields, as GA4 writes them).

The emulator loads CSV only, so each day goes in as one JSON text column and a
CREATE TABLE AS SELECT rebuilds the export's schema (read from the sample's
Parquet schema) with JSON functions.
"""

from __future__ import annotations

import csv
import io

import duckdb

_SCALARS = {"VARCHAR": "STRING", "BIGINT": "INT64", "INTEGER": "INT64", "DOUBLE": "FLOAT64", "BOOLEAN": "BOOL"}


def parse_type(text: str):
    """A DuckDB type (from DESCRIBE) as 'INT64', ('ARRAY', element) or ('STRUCT', [(name, type)])."""
    text = text.strip()
    if text.endswith("[]"):
        return ("ARRAY", parse_type(text[:-2]))
    if text.upper().startswith("STRUCT("):
        fields, depth, start, inner = [], 0, 0, text[7:-1]
        for position, char in enumerate(inner + ","):
            depth += {"(": 1, ")": -1}.get(char, 0)
            if char == "," and depth == 0:
                name, _, kind = inner[start:position].strip().partition(" ")
                fields.append((name.strip('"'), parse_type(kind)))
                start = position + 1
        return ("STRUCT", fields)
    return _SCALARS[text.upper()]


def _rebuild(kind, json_expression: str) -> str:
    """SQL rebuilding a value of `kind` from a JSON text expression."""
    if isinstance(kind, str):
        value = f"json_value({json_expression}, '$')"
        return value if kind == "STRING" else f"safe_cast({value} as {kind})"
    if kind[0] == "ARRAY":
        return f"array(select {_rebuild(kind[1], 'element')} from unnest(json_query_array({json_expression}, '$')) as element)"
    return "struct(" + ", ".join(f"{_rebuild(k, _field(json_expression, n))} as `{n}`" for n, k in kind[1]) + ")"


def _field(json_expression: str, name: str) -> str:
    return f"json_query({json_expression}, '$.{name}')"


def create_table(client, dataset: str, table: str, parquet: str, where: str = "true") -> int:
    """`dataset.table` from the rows of `parquet` matching `where`; the number of rows."""
    from google.cloud import bigquery

    with duckdb.connect() as con:
        fields = [(name, parse_type(kind)) for name, kind, *_ in
                  con.execute(f"describe select * from read_parquet('{parquet}')").fetchall()]
        rows = con.execute(f"""select cast(to_json(t) as varchar) from (
                                   select * exclude (file_row_number) from read_parquet('{parquet}', file_row_number = true)
                                   where {where} order by file_row_number) as t""").fetchall()
    text = io.StringIO()
    csv.writer(text).writerows([("j",), *rows])
    staging = f"{dataset}._json_{table}"
    job = client.load_table_from_file(
        io.BytesIO(text.getvalue().encode("utf-8")), staging,
        job_config=bigquery.LoadJobConfig(source_format="CSV", skip_leading_rows=1, write_disposition="WRITE_TRUNCATE",
                                          schema=[bigquery.SchemaField("j", "STRING")]))
    job.result(timeout=300)
    select = ", ".join(f"{_rebuild(kind, _field('j', name))} as `{name}`" for name, kind in fields)
    client.query(f"create or replace table `{dataset}.{table}` as select {select} from `{staging}`",
                 timeout=300).result(timeout=600)
    client.delete_table(staging, timeout=60)
    return len(rows)
