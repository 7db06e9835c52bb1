"""Land one delivered file into its raw table, atomically, losing no row.

DuckDB's own CSV reader does the parsing (it is the fastest thing we have and
the floor we benchmark against). Rows it cannot parse go to its rejects
scan; we copy them to `loader.rejects` with file, line, raw text and reason.
A file that reader cannot take as a whole (inconsistent line endings, a
binary tail, a line of more than max_columns fields) is read record by
record instead (records.py), with the same outcome per record.
Deleting the file's previous rows, inserting the new ones, the rejects and the
manifest row happen in one transaction: a crash leaves the old state whole.
"""

from __future__ import annotations

import csv
import io
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import duckdb

from .errors import FileError, disk_full
from .interrupts import interrupted
from .formats import Format
from .lines import count_lines, landed_lines, line_of_offset, newline_offsets, record_start_lines, widest_line
from .jsonlines import parse_json_lines
from .parquet import parse_parquet
from . import reasons
from .pii import Policy, mask_text
from .records import parse_records
from .rules import check_rows_match_file_date
from .sniff import Dialect, csv_options, raw_column_names
from .sql import ident, literal, qualified
from .warehouse import META_SCHEMA, Warehouse, utcnow

DEFAULT_MAX_LINE_BYTES = 8 << 20
# A cap on the fields of a record: beyond it a file is far more likely a wrong
# delimiter or a corrupted export than real data, and each column costs memory.
DEFAULT_MAX_COLUMNS = 2048
IRREGULAR = ("line endings are inconsistent (CR, LF and CRLF mixed) or the file holds binary data: "
             "read record by record, a line ending at CR, LF or CRLF")


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
    line_count: int | None = None,        # lines of the file at path, when already counted (saves a pass)
    manifest_extra: dict | None = None,   # more manifest columns (delivery, fingerprint), same transaction
    max_columns: int = DEFAULT_MAX_COLUMNS,
    long_lines: bool | None = None,       # whether a line may be long (lines.LineCounter); None: not known
    note: str | None = None,              # for the manifest's message (an uncertain encoding, an API fetch)
    personal: Policy | None = None,       # the source's personal-data policy (default: the format's)
) -> LandResult:
    """Land the file: its rows, rejects and manifest row in one transaction.

    DuckDB's reader lands a delimited file straight into the raw table, and
    a second transaction gives the rows their physical line numbers: the
    first holds everything that must be all-or-nothing (the old rows out,
    the new rows, rejects, the manifest saying `numbering`), the second
    numbers and says `landed`. Numbering inside the first transaction would
    make DuckDB log every landed byte to its WAL and rewrite it at the next
    checkpoint (more than half the floor's time for 600 MB). A run killed
    between the two leaves whole rows and a file the next run lands again, as
    it does every file not `landed`.

    Files DuckDB's reader cannot take (inconsistent line endings, a binary
    tail, a line with more than max_columns fields), JSON lines and Parquet
    are parsed into temp tables first (records.py, jsonlines.py, parquet.py),
    with their line numbers, and land in one transaction.

    Personal fields are hashed or dropped inside the insert, whichever the
    path (pii.py), and rejected records stored with them masked: nothing
    stored holds them.
    """
    started = time.monotonic()
    land = _Landing(wh, target, fmt, path, file_name, dialect, file_date, checksum, size, max_line_bytes,
                    encoding, line_count, manifest_extra or {}, note, personal or Policy.for_source(fmt, {}),
                    started)
    try:
        if dialect.layout == "parquet":
            columns, landed, rejects, line_note = parse_parquet(wh.con, path)
            return land.parsed(columns, landed, rejects, line_note)   # no record column: each field its own
        if dialect.layout != "delimited":
            # Parsed into temp tables before the transaction: the JSON reader
            # recovers from some errors, which would abort a transaction.
            columns, keys, landed, rejects, line_note = parse_json_lines(
                wh.con, path, max_line_bytes, fmt.json_syntax, fmt.refused_lines, dialect.keep_record)
            return land.parsed(columns, landed, rejects, line_note, keys)
        columns = dialect.columns or raw_column_names(dialect.header or [], fmt.case_sensitive_names)
        if long_lines is not False and widest_line(path, dialect.delimiter) > max_columns:
            return land.parsed(columns, *land.records(columns, max_columns),
                               f"a line has more than max_columns ({max_columns}) fields: read record by record")
        try:
            return land.delimited(columns)
        except _Irregular:
            return land.parsed(columns, *land.records(columns, max_columns), IRREGULAR)
    finally:
        _quietly(wh.con, "drop table if exists _parsed; drop table if exists _lines")


class _Irregular(Exception):
    """DuckDB's reader refused the whole file (its state machine broke): read it record by record instead."""


@dataclass
class _Landing:
    wh: Warehouse
    target: Target
    fmt: Format
    path: str
    file_name: str
    dialect: Dialect
    file_date: date | None
    checksum: str
    size: int
    max_line_bytes: int
    encoding: str | None
    line_count: int | None
    extra: dict
    note: str | None
    personal: Policy
    started: float

    @property
    def raw(self) -> str:
        return qualified(self.target.schema, self.target.table)

    def lineage(self, load_id: int) -> dict:
        return {"file": self.file_name, "file_date": self.file_date, "loaded_at": utcnow(),
                "retailer": self.target.retailer, "load_id": load_id}

    def records(self, columns: list[str], max_columns: int) -> tuple[int, list[tuple]]:
        skip = 1 if self.dialect.header is not None else 0
        landed, rejects = parse_records(self.wh.con, self.path, self.dialect.delimiter, self.fmt.quote,
                                        len(columns), skip, self.dialect.pad_rows, self.max_line_bytes,
                                        max_columns)
        return landed, [(line, _named(cols, columns), *rest) for line, cols, *rest in rejects]

    def parsed(self, columns: list[str], landed: int, rejects: list[tuple], line_note: str | None,
               keys: list[str | None] | None = None) -> LandResult:
        """Store what parse_json_lines / parse_parquet / parse_records put in _parsed and _lines: one transaction.

        keys: each column's key in a JSON record (None for the record itself), whose personal keys are
        replaced too.
        """
        con, load_id = self.wh.con, self.wh.next_load_id()
        # New columns are added before the transaction: adding one inside it
        # makes DuckDB rewrite the whole table at the next checkpoint. A column
        # left behind by a rolled-back file is empty and harmless.
        self.wh.ensure_raw_table(self.target.schema, self.target.table, columns)
        with _transaction(con):
            lineage = self.lineage(load_id)
            forget_file_rows(con, self.target, self.raw, self.file_name)
            _insert_parsed(con, self.raw, self.personal.columns_sql(columns, lambda i: f"p.c{i}", keys), columns,
                           lineage)
            check_rows_match_file_date(con, self.raw, self.file_name, self.path, self.fmt, columns, self.file_date)
            self.finish(load_id, lineage, columns, landed, rejects, "landed", _note(self.dialect.note, line_note))
        return LandResult(landed + len(rejects), landed, len(rejects), time.monotonic() - self.started)

    def delimited(self, columns: list[str]) -> LandResult:
        """DuckDB's reader straight into the raw table, then the line numbers (two transactions)."""
        con, load_id = self.wh.con, self.wh.next_load_id()
        skip = 1 if self.dialect.header is not None else 0
        self.wh.ensure_raw_table(self.target.schema, self.target.table, columns)
        with _transaction(con):
            lineage = self.lineage(load_id)
            forget_file_rows(con, self.target, self.raw, self.file_name)
            landed, rejects = _insert_delimited(con, self.raw, self.path, self.fmt, self.dialect,
                                                self.personal.columns_sql(columns, lambda i: f"c{i}"), columns,
                                                load_id, self.max_line_bytes, lineage)

            def number_lines() -> str | None:
                return _number_lines(con, self.raw, self.file_name, self.path, self.dialect, self.fmt, skip,
                                     landed, rejects, self.line_count)

            check_rows_match_file_date(con, self.raw, self.file_name, self.path, self.fmt, columns, self.file_date,
                                       number_lines)
            self.finish(load_id, lineage, columns, landed, rejects, "numbering", self.dialect.note)
        try:
            with _transaction(con):
                self.wh.mark_landed(self.target.retailer, self.target.dataset, self.file_name,
                                    _note(self.note, self.dialect.note, number_lines()), finished_at=utcnow(),
                                    duration_ms=int((time.monotonic() - self.started) * 1000))
        except Exception as exc:
            if interrupted(exc):   # DuckDB's Ctrl-C: the file stays `numbering`, the importer cancels it
                raise
            # rows without line numbers must not stay behind a manifest that will say failed
            with _transaction(con):
                forget_file_rows(con, self.target, self.raw, self.file_name)
                self.wh.forget_file(self.target.retailer, self.target.dataset, self.file_name)
            raise
        return LandResult(landed + len(rejects), landed, len(rejects), time.monotonic() - self.started)

    def finish(self, load_id: int, lineage: dict, columns: list[str], landed: int, rejects: list[tuple],
               status: str, message: str | None) -> None:
        """Rejects and the manifest row, inside the landing transaction."""
        con = self.wh.con
        delimited = self.dialect.layout == "delimited"
        if rejects:
            con.executemany(
                f"insert into {META_SCHEMA}.rejects values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                # masked copies: the line numbering after this reads the raw text as it was
                [(load_id, self.target.retailer, self.target.dataset, self.file_name, line, cols, types,
                  mask_text(reason),
                  self.personal.mask_record(raw_text, columns, self.dialect.delimiter if delimited else None,
                                            self.fmt.quote),
                  lineage["loaded_at"]) for line, cols, types, reason, raw_text in rejects],
            )
        self.wh.record_file(
            retailer=self.target.retailer, dataset=self.target.dataset, file_name=self.file_name,
            file_size=self.size, checksum=self.checksum, file_date=self.file_date, format=self.fmt.name,
            delimiter=self.dialect.delimiter if delimited else self.dialect.layout,
            encoding=self.encoding or ("utf-8-sig" if self.dialect.has_bom else "utf-8"),
            rows_read=landed + len(rejects), rows_landed=landed, rows_rejected=len(rejects),
            status=status, message=_note(self.note, message), load_id=load_id,
            started_at=lineage["loaded_at"], finished_at=utcnow(),
            duration_ms=int((time.monotonic() - self.started) * 1000), **self.extra,
        )


@contextmanager
def _transaction(con):
    """begin ... commit; on any error a rollback that never hides the error (a failed commit ends the
    transaction itself, and a rollback then would raise "no transaction is active")."""
    con.execute("begin transaction")
    try:
        yield
        con.execute("commit")
    except BaseException:
        _quietly(con, "rollback")   # also drops every temp table the read created inside the transaction
        raise


def _quietly(con, sql: str) -> None:
    try:
        con.execute(sql)
    except duckdb.Error:
        pass


def _note(*notes: str | None) -> str | None:
    return "; ".join(n for n in notes if n) or None


def _insert_parsed(con, raw: str, values: list[str], columns: list[str], lineage: dict) -> None:
    select_cols = ", ".join(f"{value} as {ident(name)}" for value, name in zip(values, columns))
    con.execute(
        f"""insert into {raw} by name
            select {select_cols}, {_LINEAGE_SELECT.format(line="l.line_number")}
            from _parsed p join _lines l on l.ordinality = p.ordinality""",
        lineage,
    )


_LINEAGE_SELECT = """$file as _source_file, $file_date::date as _file_date, {line} as _line_number,
                     $loaded_at::timestamp as _loaded_at, $retailer as _retailer, $load_id::bigint as _load_id"""


def forget_file_rows(con, target: Target, raw: str, file_name: str) -> None:
    """Make room for the file: its previous rows and rejects are gone (inside the caller's transaction)."""
    con.execute(f"delete from {raw} where _source_file = ?", [file_name])
    con.execute(
        f"delete from {META_SCHEMA}.rejects where retailer = ? and dataset = ? and source_file = ?",
        [target.retailer, target.dataset, file_name],
    )


def _insert_delimited(con, raw: str, path: str, fmt: Format, dialect: Dialect, values: list[str],
                      columns: list[str], load_id: int, max_line_bytes: int, lineage: dict) -> tuple[int, list[tuple]]:
    """Insert a delimited file's records into the raw table; return (landed, rejects).

    Straight from DuckDB's reader into the raw table, with no copy in memory,
    and no line numbers yet (`_number_lines` gives them): the reader scans in
    parallel, and numbering rows as they are read (with ordinality,
    row_number()) would serialise it. Rows keep the file's order in the
    table instead, so their row ids number them afterwards. `values` is the
    SQL of each column over the reader's c0..cN (personal fields hashed).
    """
    con.execute("set preserve_insertion_order = true")
    skip = 1 if dialect.header is not None else 0
    scan, rejects = f"_rejscan_{load_id}", f"_rejerr_{load_id}"
    positional = ", ".join(f"{literal(f'c{i}')}: 'VARCHAR'" for i in range(len(columns)))
    select_cols = ", ".join(f"{value} as {ident(name)}" for value, name in zip(values, columns))
    # Formats with trailing columns: shorter rows are padded with nulls, and
    # empty fields stay '' (nullstr is a character no text holds), so a padded
    # field is told apart from a delivered empty one.
    padding = "null_padding = true, nullstr = chr(0)," if dialect.pad_rows else "null_padding = false,"
    try:
        landed = con.execute(
            f"""insert into {raw} by name
                select {select_cols}, {_LINEAGE_SELECT.format(line="null::bigint")}
                from read_csv({literal(path)},
                    columns = {{{positional}}}, auto_detect = false, header = false, skip = {skip},
                    delim = {literal(dialect.delimiter)}, quote = {literal(fmt.quote)},
                    escape = {literal(fmt.quote)}, encoding = 'utf-8', strict_mode = true,
                    allow_quoted_nulls = false, {padding}
                    max_line_size = {int(max_line_bytes)}, buffer_size = {_buffer_size(max_line_bytes)},
                    store_rejects = true, rejects_scan = {literal(scan)}, rejects_table = {literal(rejects)})""",
            lineage,
        ).fetchone()[0]
        rejected = con.execute(
            # A record can raise one error per column; its first one says it all.
            f"""select line, min(line_byte_position) as at,
                       arg_min(column_name, coalesce(column_idx, 0)) as columns,
                       arg_min(error_type::varchar, coalesce(column_idx, 0)) as types,
                       arg_min(error_message, coalesce(column_idx, 0)) as reasons,
                       first(csv_line) as raw_text
                from {ident(rejects)} group by line order by line"""
        ).fetchall()
    except duckdb.Error as exc:
        if interrupted(exc):
            raise KeyboardInterrupt from None
        # the transaction is aborted; the caller's rollback drops the rejects tables too
        if "state machine reached an invalid state" in str(exc):
            raise _Irregular() from None
        if disk_full(exc):
            raise
        # DuckDB may quote the line
        raise FileError(path, f"cannot be read as {fmt.name}: {mask_text(_first_line(exc))}") from None
    for name in (rejects, scan):
        con.execute(f"drop table if exists {ident(name)}")
    reject_rows = _physical_rejects(path, rejected, len(columns), dialect.delimiter, fmt.quote)
    return landed, [(line, _named(cols, columns), *rest) for line, cols, *rest in reject_rows]


def _buffer_size(max_line_bytes: int) -> int:
    """Read buffers of a fixed, moderate size whatever max_line_bytes allows.

    DuckDB sizes its buffers from max_line_size when not told (16 x 8 MB by
    default here); buffers that large fill row groups so unevenly that the
    next checkpoint rewrites the whole table, and double the peak memory.
    """
    return max(16 << 20, 2 * int(max_line_bytes))


def _number_lines(con, raw: str, file_name: str, path: str, dialect: Dialect, fmt: Format, skip: int,
                  landed: int, reject_rows: list[tuple], line_count: int | None) -> str | None:
    """Give the file's landed rows their physical line numbers; returns a note when only estimated."""
    _number_records(con, raw, file_name, skip)
    return _correct_line_numbers(con, raw, file_name, path, dialect, fmt, skip, landed, reject_rows, line_count)


def _number_records(con, raw: str, file_name: str, skip: int) -> None:
    """Provisional line numbers: the k-th landed record of the file is on line skip + k.

    One append gets consecutive row ids in file order; should that ever not
    hold, the rows are ranked by row id instead (slower, same result).
    """
    first, last, count = con.execute(
        f"select min(rowid), max(rowid), count(*) from {raw} where _source_file = ?", [file_name]).fetchone()
    if not count:
        return
    if last - first + 1 == count:
        con.execute(f"update {raw} set _line_number = rowid - $first + 1 + $skip where _source_file = $file",
                    {"first": first, "skip": skip, "file": file_name})
    else:
        con.execute(
            f"""update {raw} set _line_number = r.line
                from (select rowid as id, row_number() over (order by rowid) + $skip as line
                      from {raw} where _source_file = $file) r
                where {raw}.rowid = r.id""",
            {"skip": skip, "file": file_name})


def _physical_rejects(path: str, rejected: list[tuple], expected_fields: int, delimiter: str,
                      quote: str) -> list[tuple]:
    """Rejects keyed by the physical line their record starts on, with a plain reason.

    DuckDB's `line` skips line breaks inside quoted values; its byte offset
    does not, so the offset is what we translate into a line number.
    """
    if not rejected:
        return []
    offsets = newline_offsets(path)
    rows = []
    for _line, at, cols, error_type, message, raw_text in rejected:
        text = raw_text or ""
        line = line_of_offset(offsets, at + (len(text) - len(text.lstrip("\r\n"))))
        text = text.strip("\r\n")
        rows.append((line, cols, error_type, _reason(error_type, message, text, expected_fields, delimiter, quote), text))
    return rows


def _reason(error_type: str, message: str, text: str, expected: int, delimiter: str, quote: str) -> str:
    if error_type in (reasons.MISSING_COLUMNS, reasons.TOO_MANY_COLUMNS):
        try:
            found = len(next(csv.reader(io.StringIO(text), **csv_options(delimiter, quote))))
        except (csv.Error, StopIteration):
            return reasons.wrong_field_count(expected)
        return reasons.wrong_field_count(expected, found)
    if error_type in reasons.LOADER:
        return reasons.LOADER[error_type].text
    return message


def _correct_line_numbers(con, raw: str, file_name: str, path: str, dialect: Dialect, fmt: Format,
                          skip: int, landed: int, reject_rows, line_count: int | None) -> str | None:
    """Turn the provisional line numbers (record order + header) into physical lines.

    Nothing to do when the file is one record per line and nothing was
    rejected, which is the common case. Returns a note for the manifest when
    line numbers could only be estimated.
    """
    rejected_lines = {r[0] for r in reject_rows}
    total_lines = line_count if line_count is not None else count_lines(path)[0]
    one_record_per_line = total_lines == skip + landed + len(reject_rows) and not any(
        "\n" in r[4] for r in reject_rows
    )
    if one_record_per_line and not rejected_lines:
        return None
    note = None
    if one_record_per_line:
        # The k-th landed record is on the k-th line that was not rejected.
        con.execute(
            """create or replace temp table _lines as
               select n as line_number, row_number() over (order by n) as ordinality
               from range($first, $last + 1) t(n)
               where n not in (select unnest($rejected::bigint[]))""",
            {"first": skip + 1, "last": total_lines, "rejected": sorted(rejected_lines)},
        )
    else:
        starts = record_start_lines(path, dialect.delimiter[0], fmt.quote, skip)
        if len(starts) != landed + len(reject_rows):
            # The two parsers split a damaged file differently: keep every row,
            # and say that its line numbers count records, not physical lines.
            return "line numbers count records (file has irregular quoting)"
        con.execute(
            "create or replace temp table _lines as "
            "select * from unnest($1::bigint[]) with ordinality as t(line_number, ordinality)",
            [landed_lines(landed, rejected_lines, starts)],
        )
    con.execute(
        f"""update {raw} set _line_number = l.line_number
            from _lines l
            where {raw}._source_file = $file and {raw}._line_number - {skip} = l.ordinality""",
        {"file": file_name},
    )
    con.execute("drop table _lines")
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
