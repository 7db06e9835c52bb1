"""Read a delivered file's first record: its header and its delimiter."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from itertools import repeat

from .errors import FileError
from .formats import Format

_SAMPLE_BYTES = 1 << 16


@dataclass(frozen=True)
class Dialect:
    delimiter: str | None      # None for JSON lines
    header: list[str] | None   # None for formats without a header line (or none detected)
    has_bom: bool
    layout: str = "delimited"  # or json_lines
    columns: list[str] | None = None  # raw column names when not taken from the header
    pad_rows: bool = False     # rows may have fewer fields than the widest (trailing columns)
    note: str | None = None    # how the file was read, for the manifest


def sniff(path: str, fmt: Format) -> Dialect:
    with open(path, "rb") as handle:
        sample = handle.read(_SAMPLE_BYTES)
    if not sample.strip():
        raise FileError(path, "file is empty")
    has_bom = sample.startswith(b"\xef\xbb\xbf")
    text = sample.decode("utf-8-sig", errors="replace")
    if "json_lines" in fmt.layouts and (fmt.layouts == ("json_lines",) or text.lstrip()[:1] in ("{", "[")):
        return Dialect(delimiter=None, header=None, has_bom=has_bom, layout="json_lines")
    if "delimited" not in fmt.layouts:
        raise FileError(path, f"does not start like JSON lines ({fmt.name} files are JSON lines)", line=1)
    first_line = text.splitlines()[0] if text.splitlines() else ""
    delimiter = _pick_delimiter(first_line, fmt.delimiters)
    header = None
    note = None
    if fmt.header:
        try:
            # newline="" so a file with CR-only line breaks still yields one header line
            header = next(csv.reader(io.StringIO(text, newline=""), **csv_options(delimiter, fmt.quote)))
        except (csv.Error, StopIteration) as exc:
            raise FileError(path, f"cannot read the header line: {exc}", line=1) from None
        if fmt.header == "auto" and not _looks_like_header(header, fmt):
            header = None
        elif not any(h.strip() for h in header):
            raise FileError(path, "header line is blank", line=1)
        elif fmt.header == "auto":
            note = f"line 1 read as a header: {first_line[:40]}{'...' if len(first_line) > 40 else ''}"
    columns = list(fmt.file_columns) if fmt.file_columns else (None if header is not None else fmt.source_columns)
    if fmt.trailing_prefix:
        fixed = columns or raw_column_names(header or [])
        extra = widest_record(path, delimiter, fmt.quote, 1 if header is not None else 0) - len(fixed)
        columns = list(fixed) + [f"{fmt.trailing_prefix}_{k}" for k in range(1, extra + 1)]
    return Dialect(delimiter=delimiter, header=header, has_bom=has_bom, columns=columns,
                   pad_rows=bool(fmt.trailing_prefix), note=note)


def csv_options(delimiter: str, quote: str) -> dict:
    """Python csv module options close to DuckDB's reading of `delimiter`.

    The csv module takes one-character delimiters only; for `, ` (the
    conversion vendor's own example) it splits on `,` and skips the space.
    """
    if len(delimiter) == 1:
        return {"delimiter": delimiter, "quotechar": quote}
    return {"delimiter": delimiter[0], "quotechar": quote, "skipinitialspace": delimiter[1:].isspace()}


def widest_record(path: str, delimiter: str, quote: str, skip_records: int) -> int:
    """The largest number of fields of any record (formats with trailing columns)."""
    unquoted = _widest_unquoted(path, delimiter[0], quote, skip_records)
    if unquoted is not None:
        return unquoted
    widest = 0
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
        reader = csv.reader(handle, strict=False, **csv_options(delimiter, quote))
        for number, row in enumerate(reader):
            if number >= skip_records and len(row) > widest:
                widest = len(row)
    return widest


def _widest_unquoted(path: str, delimiter: str, quote: str, skip_records: int,
                     chunk: int = 8 << 20) -> int | None:
    """widest_record for a file without the quote character, where a record is a line.

    Counting delimiters per line runs at C speed (a second for 600 MB, where
    the csv module takes six); None as soon as a quote shows up, since a quoted
    value may hold delimiters or line breaks.
    """
    mark, sep = quote.encode(), delimiter.encode()
    widest, skipped, rest = 0, 0, b""
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            if mark in block:
                return None
            lines = (rest + block).split(b"\n")
            rest = lines.pop()
            if skipped < skip_records:
                dropped = lines[:skip_records - skipped]
                skipped += len(dropped)
                lines = lines[len(dropped):]
            if lines:
                widest = max(widest, max(map(bytes.count, lines, repeat(sep))) + 1)
    if rest and skipped >= skip_records:
        widest = max(widest, rest.count(sep) + 1)
    return widest


def _looks_like_header(record: list[str], fmt: Format) -> bool:
    """A first record is a header when none of its typed fields holds a value of its type.

    Positional formats (header optional) decide this per file; a data row is
    only mistaken for a header if every number / date field in it is text,
    and the manifest then shows the line it skipped.
    """
    names = list(fmt.file_columns) if fmt.file_columns else fmt.source_columns
    typed = [(names.index(c.source), c.type) for c in fmt.columns
             if c.source in names and c.type in VALUE_PATTERNS]
    values = [(record[i].strip() if i < len(record) else "", kind) for i, kind in typed]
    return bool(values) and all(v and not re.fullmatch(VALUE_PATTERNS[kind], v) for v, kind in values)


# A value of each column type, as delivered (also what `discover` checks a headerless sample's columns with).
VALUE_PATTERNS = {
    "integer": r"[+-]?\d+",
    "number": r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?",
    "date": r"\d{4}-\d{2}-\d{2}",
    "timestamp": r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?.*",
    "url": r"(?i)([a-z][a-z0-9+.-]*://)?[\w-]+(\.[\w-]+)+(:\d+)?([/?#]\S*)?",
}


def _pick_delimiter(line: str, allowed: tuple[str, ...]) -> str:
    """The allowed delimiter seen most often outside quotes in the first line.

    A longer delimiter wins a tie with its own first character: when every
    `,` of the line is followed by a space, the file is `, `-separated.
    """
    counts = dict.fromkeys(allowed, 0)
    quoted = False
    for position, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif not quoted:
            for delimiter in allowed:
                if line.startswith(delimiter, position):
                    counts[delimiter] += 1
    best = max(allowed, key=lambda d: (counts[d], len(d)))
    return best if counts[best] else allowed[0]


def raw_column_names(header: list[str]) -> list[str]:
    """Header names made usable as column names without changing real ones.

    Names are kept exactly (quoted in SQL) except blanks, which become
    column_<n>, and repeats (case-insensitive, as the warehouse compares
    them), which get a _<k> suffix.
    """
    names: list[str] = []
    seen: set[str] = set()
    for position, raw in enumerate(header, start=1):
        name = raw.strip() or f"column_{position}"
        candidate, k = name, 1
        while candidate.lower() in seen:
            k += 1
            candidate = f"{name}_{k}"
        seen.add(candidate.lower())
        names.append(candidate)
    return names
