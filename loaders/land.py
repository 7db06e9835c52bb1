"""Land one delivered file into its raw table, atomically, losing no row.

DuckDB's own CSV reader does the parsing (it is the fastest thing we have and
the floor we benchmark against). Rows it cannot parse go to its rejects
scan; we copy them to `loader.rejects` with file, line, raw text and reason.
Deleting the file's previous rows, inserting the new ones, the rejects and the
manifest row happen in one transaction: a crash leaves the old state whole.
"""

from __future__ import annotations

import csv
import io
import time
from dataclasses import dataclass
from datetime import date

import duckdb

from .errors import FileError
from .formats import Format
from .lines import count_lines, landed_lines, line_of_offset, newline_offsets, record_start_lines
from .sniff import Dialect, raw_column_names
from .sql import ident, literal, qualified
from .warehouse import META_SCHEMA, Warehouse, utcnow

DEFAULT_MAX_LINE_BYTES = 8 << 20


@dataclass
class LandResult:
    rows_read: int
    rows_landed: int
    rows_rejected: int
    seconds: float


@dataclass(frozen=True)
class Target:
    retailer: str
    dataset: str
    schema: str
    table: str


def land_file(
    wh: Warehouse,
    target: Target,
    fmt: Format,
    path: str,
    file_name: str,
    dialect: Dialect,
    file_date: date | None,
    checksum: str,
    size: int,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
    encoding: str | None = None,          # what the delivery was decoded from (path is UTF-8 by now)
    manifest_extra: dict | None = None,   # more manifest columns (delivery, fingerprint), same transaction
) -> LandResult:
    started = time.monotonic()
    started_at = utcnow()
    columns = raw_column_names(dialect.header) if dialect.header is not None else fmt.source_columns
    skip = 1 if dialect.header is not None else 0
    load_id = wh.next_load_id()
    con = wh.con
    scan, rejects = f"_rejscan_{load_id}", f"_rejerr_{load_id}"
    positional = ", ".join(f"{literal(f'c{i}')}: 'VARCHAR'" for i in range(len(columns)))
    try:
        con.execute(
            f"""create or replace temp table _parsed as
                select * from read_csv({literal(path)},
                    columns = {{{positional}}}, auto_detect = false, header = false, skip = {skip},
                    delim = {literal(dialect.delimiter)}, quote = {literal(fmt.quote)},
                    escape = {literal(fmt.quote)}, encoding = 'utf-8', strict_mode = true,
                    allow_quoted_nulls = false, null_padding = false,
                    max_line_size = {int(max_line_bytes)},
                    store_rejects = true, rejects_scan = {literal(scan)}, rejects_table = {literal(rejects)})
                with ordinality"""
        )
        rejected = con.execute(
            # A record can raise one error per column; its first one says it all.
            f"""select line, min(line_byte_position) as at,
                       arg_min(column_name, coalesce(column_idx, 0)) as columns,
                       arg_min(error_type::varchar, coalesce(column_idx, 0)) as types,
                       arg_min(error_message, coalesce(column_idx, 0)) as reasons,
                       first(csv_line) as raw_text
                from {ident(rejects)} group by line order by line"""
        ).fetchall()
        landed = con.execute("select count(*) from _parsed").fetchone()[0]
    except duckdb.Error as exc:
        raise FileError(path, f"cannot be read as {fmt.name}: {_first_line(exc)}") from None
    finally:
        for name in (rejects, scan):
            con.execute(f"drop table if exists {ident(name)}")

    reject_rows, rejected_lines = _physical_rejects(path, rejected, len(columns), dialect.delimiter, fmt.quote)
    line_note = _number_landed_lines(con, path, dialect, fmt, skip, landed, reject_rows, rejected_lines)

    loaded_at = utcnow()
    rows_read = landed + len(reject_rows)
    raw = qualified(target.schema, target.table)
    select_cols = ", ".join(f"p.c{i} as {ident(name)}" for i, name in enumerate(columns))
    try:
        con.execute("begin transaction")
        wh.ensure_raw_table(target.schema, target.table, columns)
        con.execute(f"delete from {raw} where _source_file = ?", [file_name])
        con.execute(
            f"delete from {META_SCHEMA}.rejects where retailer = ? and dataset = ? and source_file = ?",
            [target.retailer, target.dataset, file_name],
        )
        con.execute(
            f"""insert into {raw} by name
                select {select_cols},
                       $file as _source_file, $file_date::date as _file_date,
                       l.line_number as _line_number, $loaded_at::timestamp as _loaded_at,
                       $retailer as _retailer, $load_id::bigint as _load_id
                from _parsed p join _lines l on l.ordinality = p.ordinality
                order by p.ordinality""",
            {"file": file_name, "file_date": file_date, "loaded_at": loaded_at,
             "retailer": target.retailer, "load_id": load_id},
        )
        if reject_rows:
            con.executemany(
                f"insert into {META_SCHEMA}.rejects values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (load_id, target.retailer, target.dataset, file_name, line, _named(cols, columns),
                     types, reason, raw_text, loaded_at)
                    for line, cols, types, reason, raw_text in reject_rows
                ],
            )
        stored = con.execute(f"select count(*) from {raw} where _source_file = ?", [file_name]).fetchone()[0]
        if stored != landed:
            raise FileError(path, f"reconciliation failed: parsed {landed} rows but {stored} are stored")
        wh.record_file(
            retailer=target.retailer, dataset=target.dataset, file_name=file_name, file_size=size,
            checksum=checksum, file_date=file_date, format=fmt.name,
            delimiter=dialect.delimiter, encoding=encoding or ("utf-8-sig" if dialect.has_bom else "utf-8"),
            rows_read=rows_read, rows_landed=landed, rows_rejected=len(reject_rows),
            status="landed", message=line_note, load_id=load_id,
            started_at=started_at, finished_at=utcnow(),
            duration_ms=int((time.monotonic() - started) * 1000), **(manifest_extra or {}),
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        con.execute("drop table if exists _parsed; drop table if exists _lines")
    return LandResult(rows_read, landed, len(reject_rows), time.monotonic() - started)


def _physical_rejects(path: str, rejected: list[tuple], expected_fields: int, delimiter: str,
                      quote: str) -> tuple[list[tuple], set[int]]:
    """Rejects keyed by the physical line their record starts on, with a plain reason.

    DuckDB's `line` skips line breaks inside quoted values; its byte offset
    does not, so the offset is what we translate into a line number.
    """
    if not rejected:
        return [], set()
    offsets = newline_offsets(path)
    rows, lines = [], set()
    for _line, at, cols, error_type, message, raw_text in rejected:
        text = raw_text or ""
        line = line_of_offset(offsets, at + (len(text) - len(text.lstrip("\r\n"))))
        text = text.strip("\r\n")
        rows.append((line, cols, error_type, _reason(error_type, message, text, expected_fields, delimiter, quote), text))
        lines.add(line)
    return rows, lines


def _reason(error_type: str, message: str, text: str, expected: int, delimiter: str, quote: str) -> str:
    if error_type in ("MISSING COLUMNS", "TOO MANY COLUMNS"):
        try:
            found = len(next(csv.reader(io.StringIO(text), delimiter=delimiter, quotechar=quote)))
        except (csv.Error, StopIteration):
            return f"wrong number of fields (expected {expected})"
        return f"wrong number of fields: expected {expected}, found {found}"
    if error_type == "UNQUOTED VALUE":
        return "bad quoting: a quoted value is not closed, or text follows a closing quote"
    if error_type == "INVALID ENCODING":
        return "bytes that are not valid UTF-8 (set the source's encoding)"
    if error_type == "LINE SIZE OVER MAXIMUM":
        return "record longer than max_line_bytes (raise it in the source's meta.loader)"
    return message


def _number_landed_lines(con, path, dialect: Dialect, fmt: Format, skip: int, landed: int,
                         reject_rows, rejected_lines: set[int]) -> str | None:
    """Fill temp table _lines (ordinality -> line_number) for the landed records.

    Returns a note for the manifest when line numbers could only be estimated.
    """
    total_lines, _ = count_lines(path)
    one_record_per_line = total_lines == skip + landed + len(reject_rows) and not any(
        "\n" in r[4] for r in reject_rows
    )
    note = None
    if one_record_per_line:
        # Every line after the header is a record: the k-th landed record is on
        # the k-th line that was not rejected. DuckDB works that out in bulk.
        con.execute(
            """create or replace temp table _lines as
               select n as line_number, row_number() over (order by n) as ordinality
               from range($first, $last + 1) t(n)
               where n not in (select unnest($rejected::bigint[]))""",
            {"first": skip + 1, "last": total_lines, "rejected": sorted(rejected_lines)},
        )
        return None
    starts = record_start_lines(path, dialect.delimiter, fmt.quote, skip)
    if len(starts) == landed + len(reject_rows):
        lines = landed_lines(landed, rejected_lines, skip + 1, total_lines, starts)
    else:
        # The two parsers split a damaged file differently: keep every row, and
        # say that its line numbers count records rather than physical lines.
        lines = list(range(skip + 1, skip + 1 + landed))
        note = "line numbers count records (file has irregular quoting)"
    con.execute(
        "create or replace temp table _lines as "
        "select * from unnest($1::bigint[]) with ordinality as t(line_number, ordinality)",
        [lines],
    )
    return note


def _named(columns_csv: str, names: list[str]) -> str | None:
    """DuckDB names our positional columns c0, c1...; give the file's names back."""
    out = []
    for part in (columns_csv or "").split(", "):
        if part.startswith("c") and part[1:].isdigit() and int(part[1:]) < len(names):
            out.append(names[int(part[1:])])
        elif part:
            out.append(part)
    return ", ".join(out) or None


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]
