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

from . import reasons
from .sniff import csv_options

BATCH = 20_000
# Stands for a stray CR inside a value while the csv module reads it (which takes any CR for a line end).
STRAY_CR = "\uf8ff"
# Kept of a rejected record's text: enough to see what it was, bounded whatever it was.
RAW_TEXT_CHARS = 64 << 10


class _Lines:
    """The file's physical lines for the csv reader, remembering those of the current record.

    A line longer than `limit` is drained without being kept (only its
    start is), and the record it belongs to is marked overlong. A lone CR
    ends a line, except where it splits what would otherwise be one whole
    record (the pieces on either side do not have `width` fields, together
    they do): there it is a stray character of a value, kept as data.
    """

    def __init__(self, handle, limit: int, delimiter: str, quote: str, width: int | None):
        self.handle, self.limit = handle, limit
        self.delimiter, self.quote, self.width = delimiter[0], quote, width
        self.number = 0          # physical lines read so far
        self.taken: list[str] = []
        self.size = 0
        self.overlong = False
        self.stray_cr = False
        self._ahead: tuple[str, bool] | None = None

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line, overlong = self._read()
        if line.endswith("\r") and self.width and self.quote not in line:
            ahead = self._ahead = self._ahead or self._physical()
            if ahead and not ahead[1] and self.quote not in ahead[0] and STRAY_CR not in line + ahead[0] \
                    and self._joins(line, ahead[0]):
                self._ahead = None
                self.number += 1
                self.stray_cr = True
                self._keep(line)
                line = line[:-1] + STRAY_CR + ahead[0]
                self.number += 1
                self._keep(ahead[0])
                return line
        self.number += 1
        self.overlong |= overlong
        self._keep(line)
        return "\n" if overlong else line   # an overlong record ends here as far as the reader knows

    def _read(self) -> tuple[str, bool]:
        found, self._ahead = self._ahead or self._physical(), None
        if found is None:
            raise StopIteration
        return found

    def _physical(self) -> tuple[str, bool] | None:
        line = self.handle.readline(self.limit + 1)
        if not line:
            return None
        if len(line) > self.limit and not line.endswith(("\n", "\r")):
            while (rest := self.handle.readline(self.limit + 1)) and not rest.endswith(("\n", "\r")):
                pass
            return line[:RAW_TEXT_CHARS], True
        return line, False

    def _joins(self, line: str, ahead: str) -> bool:
        before, after = line.count(self.delimiter) + 1, ahead.count(self.delimiter) + 1
        return (before != self.width or after != self.width) and before + after - 1 == self.width

    def _keep(self, line: str) -> None:
        self.size += len(line)
        if sum(map(len, self.taken)) < RAW_TEXT_CHARS:
            self.taken.append(line)

    def start_record(self) -> int:
        self.taken, self.size, self.overlong, self.stray_cr = [], 0, False, False
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
        lines = _Lines(handle, max_line_bytes, delimiter, quote, None if pad_rows else width)
        reader = csv.reader(lines, strict=True, **csv_options(delimiter, quote))
        records = 0
        while True:
            start = lines.start_record()
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                rejects.append((start, None, reasons.UNQUOTED_VALUE, f"bad quoting: {exc}", lines.text()))
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
            if lines.stray_cr:
                row = [v.replace(STRAY_CR, "\r") for v in row]
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
        return reasons.LINE_TOO_LONG, reasons.LOADER[reasons.LINE_TOO_LONG].text
    if len(row) > max_columns:
        return reasons.TOO_MANY_COLUMNS, reasons.wrong_field_count(width, len(row), max_columns)
    if len(row) > width or (len(row) < width and not pad_rows):
        return (reasons.TOO_MANY_COLUMNS if len(row) > width else reasons.MISSING_COLUMNS,
                reasons.wrong_field_count(width, len(row)))
    try:
        "".join(row).encode("utf-8")
    except UnicodeEncodeError:   # bytes the decoder kept as they were (surrogateescape)
        return reasons.INVALID_ENCODING, reasons.LOADER[reasons.INVALID_ENCODING].text
    return None


def _insert(con, batch: list[tuple], width: int) -> None:
    columns = list(zip(*batch))
    selects = ", ".join(f"unnest(${i + 1}::varchar[])" for i in range(width))
    con.execute(f"insert into _parsed select {selects}, unnest(${width + 1}::bigint[])", list(columns[:width + 1]))
    con.execute("insert into _lines select unnest($1::bigint[]), unnest($2::bigint[])",
                [list(columns[width]), list(columns[width + 1])])
