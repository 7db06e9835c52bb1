"""Read a delimited file record by record: for the files DuckDB's reader cannot take.

DuckDB's reader refuses a whole file whose line endings are inconsistent (a
stray CR, a binary tail, CRLF / LF / CR mixed) and spends minutes on one line
of 200,000 fields. Those files, and only those, are read here with Python's
csv module, each record on its own: a physical line ends at CR, LF or CRLF
outside quotes; a record that cannot be read (bad quoting, bytes that are not
UTF-8, more fields than the file has columns or than max_columns, longer than
max_line_bytes) is rejected with its first line and reason, every other one
lands as DuckDB would land it. Memory and time stay bounded by the limits: an
overlong line is never held whole.

The records go to the temp tables `_parsed` (c0..cN, ordinality) and `_lines`
(ordinality, line_number) that land.py stores from, as for JSON lines.
"""

from __future__ import annotations

import csv
from contextlib import contextmanager

from .sniff import csv_options

BATCH = 20_000
# Kept of a rejected record's text: enough to see what it was, bounded whatever it was.
RAW_TEXT_CHARS = 64 << 10


class _Lines:
    """The file's physical lines for the csv reader, remembering those of the current record.

    A line longer than `limit` is drained without being kept (only its start
    is), and the record it belongs to is marked overlong.
    """

    def __init__(self, handle, limit: int):
        self.handle, self.limit = handle, limit
        self.number = 0          # physical lines read so far
        self.taken: list[str] = []
        self.size = 0
        self.overlong = False

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self.handle.readline(self.limit + 1)
        if not line:
            raise StopIteration
        self.number += 1
        if len(line) > self.limit and not line.endswith(("\n", "\r")):
            self.overlong = True
            while (rest := self.handle.readline(self.limit + 1)) and not rest.endswith(("\n", "\r")):
                pass
            self._keep(line[:RAW_TEXT_CHARS])
            return "\n"   # the record ends here as far as the reader knows; it is rejected anyway
        self._keep(line)
        return line

    def _keep(self, line: str) -> None:
        self.size += len(line)
        if sum(map(len, self.taken)) < RAW_TEXT_CHARS:
            self.taken.append(line)

    def start_record(self) -> int:
        self.taken, self.size, self.overlong = [], 0, False
        return self.number + 1

    def text(self) -> str:
        raw = "".join(self.taken)[:RAW_TEXT_CHARS].rstrip("\r\n")
        return raw.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


@contextmanager
def _field_limit(limit: int):
    old = csv.field_size_limit()
    csv.field_size_limit(max(old, limit))
    try:
        yield
    finally:
        csv.field_size_limit(old)


def parse_records(con, path: str, delimiter: str, quote: str, width: int, skip: int, pad_rows: bool,
                  max_line_bytes: int, max_columns: int) -> tuple[int, list[tuple]]:
    """Fill _parsed and _lines with the file's good records; return (landed, rejects).

    `width` is the number of columns; with pad_rows a record may have fewer
    (the rest are null), otherwise it must have exactly that many. Rejects
    are (line, column, error type, reason, raw text), as land.py stores them.
    """
    columns = ", ".join(f"c{i} varchar" for i in range(width))
    con.execute(f"create or replace temp table _parsed ({columns}, ordinality bigint)")
    con.execute("create or replace temp table _lines (ordinality bigint, line_number bigint)")
    rejects: list[tuple] = []
    batch: list[tuple] = []
    landed = 0
    with open(path, encoding="utf-8", errors="surrogateescape", newline="") as handle, \
            _field_limit(max_line_bytes + 1):
        lines = _Lines(handle, max_line_bytes)
        reader = csv.reader(lines, strict=True, **csv_options(delimiter, quote))
        records = 0
        while True:
            start = lines.start_record()
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                rejects.append((start, None, "UNQUOTED VALUE", f"bad quoting: {exc}", lines.text()))
                continue
            if not row:
                continue   # a blank line, which DuckDB skips too
            records += 1
            if records <= skip:
                continue
            problem = _problem(row, lines, width, pad_rows, max_line_bytes, max_columns)
            if problem:
                rejects.append((start, None, *problem, lines.text()))
                continue
            landed += 1
            values = [v or None for v in row] if not pad_rows else row + [None] * (width - len(row))
            batch.append((*values, landed, start))
            if len(batch) >= BATCH:
                _insert(con, batch, width)
                batch = []
    if batch:
        _insert(con, batch, width)
    return landed, rejects


def _problem(row: list[str], lines: _Lines, width: int, pad_rows: bool, max_line_bytes: int,
             max_columns: int) -> tuple[str, str] | None:
    """(error type, reason) of a record that cannot land, in the words DuckDB's path uses."""
    if lines.overlong or lines.size > max_line_bytes:
        return "LINE SIZE OVER MAXIMUM", "record longer than max_line_bytes (raise it in the source's meta.loader)"
    if len(row) > max_columns:
        return "TOO MANY COLUMNS", (f"wrong number of fields: expected {width}, found {len(row)} "
                                    f"(more than max_columns, {max_columns})")
    if len(row) > width or (len(row) < width and not pad_rows):
        return ("TOO MANY COLUMNS" if len(row) > width else "MISSING COLUMNS",
                f"wrong number of fields: expected {width}, found {len(row)}")
    try:
        "".join(row).encode("utf-8")
    except UnicodeEncodeError:   # bytes the decoder kept as they were (surrogateescape)
        return "INVALID ENCODING", "bytes that are not valid UTF-8 (set the source's encoding)"
    return None


def _insert(con, batch: list[tuple], width: int) -> None:
    columns = list(zip(*batch))
    selects = ", ".join(f"unnest(${i + 1}::varchar[])" for i in range(width))
    con.execute(f"insert into _parsed select {selects}, unnest(${width + 1}::bigint[])", list(columns[:width + 1]))
    con.execute("insert into _lines select unnest($1::bigint[]), unnest($2::bigint[])",
                [list(columns[width]), list(columns[width + 1])])
