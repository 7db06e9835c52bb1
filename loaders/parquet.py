"""Read a Parquet file into the temp tables land_file stores from.

BigQuery exports nested records (GA4's events_*) as Parquet with `EXPORT
DATA` or `bq extract`. Each top-level field becomes a text column, as in
every raw table: scalars cast to text, nested values (structs, repeated
records, maps) as their JSON text, so nothing is lost and staging unpacks
them with the same JSON functions it uses for newline-delimited exports.
A Parquet row cannot be half-parsed: the file is read whole or refused
(truncated, damaged, not Parquet), so every row lands and none is rejected.
The row number in the file (from 1) is the row's `_line_number`.
"""

from __future__ import annotations

import duckdb

from .errors import FileError
from .interrupts import interrupted
from .sniff import raw_column_names
from .sql import ident, literal

MAGIC = b"PAR1"
# DuckDB types written as JSON text: everything nested.
_NESTED = ("STRUCT", "MAP", "UNION")


def parquet_columns(path: str) -> list[tuple[str, str]]:
    """(name, DuckDB type) of each top-level field; FileError when the file cannot be read as Parquet."""
    with duckdb.connect() as con:
        try:
            return [(name, kind) for name, kind in con.execute(
                f"select column_name, column_type from (describe select * from read_parquet({literal(path)}))"
            ).fetchall()]
        except duckdb.Error as exc:
            if interrupted(exc):   # Ctrl-C: the run is cancelled, the file is not broken
                raise KeyboardInterrupt from None
            raise FileError(path, f"not a readable Parquet file (truncated or damaged?): {_first_line(exc)}") from None


def parse_parquet(con, path: str) -> tuple[list[str], int, list[tuple], str | None]:
    """Fill _parsed (c0..cN, ordinality) and _lines; return (columns, landed, rejects, note) like parse_json_lines."""
    fields = parquet_columns(path)
    columns = raw_column_names([name for name, _ in fields])
    selects = [f"{_as_text(ident(name), kind)} as c{i}" for i, (name, kind) in enumerate(fields)]
    try:
        con.execute(
            f"""create or replace temp table _parsed as
                select {', '.join(selects)}, file_row_number + 1 as ordinality
                from read_parquet({literal(path)}, file_row_number = true)"""
        )
    except duckdb.Error as exc:
        if interrupted(exc):   # Ctrl-C: the run is cancelled, the file is not broken
            raise KeyboardInterrupt from None
        # a footer that reads but row groups that do not: damaged in the middle
        raise FileError(path, f"not a readable Parquet file (truncated or damaged?): {_first_line(exc)}") from None
    con.execute("create or replace temp table _lines as select ordinality, ordinality as line_number from _parsed")
    landed = con.execute("select count(*) from _parsed").fetchone()[0]
    return columns, landed, [], None


def _as_text(column: str, kind: str) -> str:
    if kind.upper().startswith(_NESTED) or kind.endswith("]"):   # T[] and T[n]: lists and arrays
        return f"cast(to_json({column}) as varchar)"
    return f"cast({column} as varchar)"


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]
