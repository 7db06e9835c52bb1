"""Read a delivered file's first record: its header and its delimiter."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from itertools import repeat

from .errors import FileError
from .formats import Format
from .pii import mask_text

_SAMPLE_BYTES = 1 << 16


@dataclass(frozen=True)
class Dialect:
    delimiter: str | None      # None for JSON lines
    header: list[str] | None   # None for formats without a header line (or none detected)
    has_bom: bool
    layout: str = "delimited"  # or json_lines, parquet
    columns: list[str] | None = None  # raw column names when not taken from the header
    pad_rows: bool = False     # rows may have fewer fields than the widest (trailing columns)
    note: str | None = None    # how the file was read, for the manifest
    keep_record: bool = True   # JSON lines: keep each line whole in _record (not for nested exports)


def sniff(path: str, fmt: Format, max_line_bytes: int = 8 << 20, max_columns: int = 2048) -> Dialect:
    sample = _head(path, fmt, max_line_bytes)
    if not sample.strip():
        raise FileError(path, "file is empty")
    if "nested" in fmt.layouts:
        return _sniff_nested(path, sample, fmt)
    has_bom = sample.startswith(b"\xef\xbb\xbf")
    text = sample.decode("utf-8-sig", errors="replace")
    if "json_lines" in fmt.layouts and (fmt.layouts == ("json_lines",) or text.lstrip()[:1] in ("{", "[")):
        return Dialect(delimiter=None, header=None, has_bom=has_bom, layout="json_lines")
    if "delimited" not in fmt.layouts:
        raise FileError(path, f"does not start like JSON lines ({fmt.name} files are JSON lines)", line=1)
    first_line = text.splitlines()[0] if text.splitlines() else ""
    if fmt.header and _BINARY.search(first_line):   # a header line of control characters: not a text file
        raise FileError(path, "cannot be parsed: line 1 holds binary data (control characters), not delimited text",
                        line=1)
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
            shown = mask_text(first_line[:40])   # the manifest keeps this note: never a personal value
            note = f"line 1 read as a header: {shown}{'...' if len(first_line) > 40 else ''}"
    columns = list(fmt.file_columns) if fmt.file_columns else (None if header is not None else fmt.source_columns)
    if fmt.trailing_prefix:
        fixed = columns or raw_column_names(header or [], fmt.case_sensitive_names)
        extra = widest_record(path, delimiter, fmt.quote, 1 if header is not None else 0, max_columns) - len(fixed)
        columns = list(fixed) + [f"{fmt.trailing_prefix}_{k}" for k in range(1, extra + 1)]
    return Dialect(delimiter=delimiter, header=header, has_bom=has_bom, columns=columns,
                   pad_rows=bool(fmt.trailing_prefix), note=note)


def _head(path: str, fmt: Format, max_line_bytes: int) -> bytes:
    """The start of the file; for a format with a header line, long enough to hold that whole line.

    Read in doubling steps up to max_line_bytes. A header longer than that
    is refused; a first line that may be data is left to landing, which
    rejects an overlong record like any other.
    """
    size = _SAMPLE_BYTES
    with open(path, "rb") as handle:
        while True:
            handle.seek(0)
            sample = handle.read(size)
            if len(sample) < size or not fmt.header or _first_record_ends(sample, fmt):
                return sample
            if size > max_line_bytes:
                if fmt.header is True:
                    raise FileError(path, f"header line longer than max_line_bytes ({max_line_bytes}); raise it "
                                          "in the source's meta.loader if this is expected", line=1)
                return sample
            size *= 2


def _first_record_ends(sample: bytes, fmt: Format) -> bool:
    """Whether the sample holds the whole first record, with a line after it."""
    text = sample.decode("utf-8-sig", errors="replace")
    if "delimited" not in fmt.layouts or text.lstrip()[:1] in ("{", "["):
        return True   # JSON lines: the first character is all sniffing needs
    stream = io.StringIO(text, newline="")
    try:
        next(csv.reader(stream, quotechar=fmt.quote))
    except (csv.Error, StopIteration):
        return False
    return stream.tell() < len(text)


# Control characters no text line holds (tab, CR and LF excepted).
_BINARY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _sniff_nested(path: str, sample: bytes, fmt: Format) -> Dialect:
    """A BigQuery export of nested records: Parquet, or newline-delimited JSON.

    The header is what the file says its fields are: the Parquet schema, or
    the keys of the JSON objects in the first 64 KiB (exports leave null
    fields out, so one line may lack a field the next has); the required
    columns are checked against it.
    """
    from .parquet import MAGIC, parquet_columns

    if sample.startswith(MAGIC):
        return Dialect(delimiter=None, header=[name for name, _ in parquet_columns(path)], has_bom=False,
                       layout="parquet")
    text = sample.decode("utf-8-sig", errors="replace")
    if text.lstrip()[:1] != "{":
        raise FileError(path, f"neither Parquet nor newline-delimited JSON ({fmt.name} files are BigQuery exports: "
                              "EXPORT DATA or bq extract as PARQUET or NEWLINE_DELIMITED_JSON)", line=1)
    keys: dict[str, None] = {}
    for line in text.splitlines()[:-1] if len(sample) == _SAMPLE_BYTES else text.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue   # land_file rejects it with its line number
        if isinstance(record, dict):
            keys.update(dict.fromkeys(record))
    return Dialect(delimiter=None, header=list(keys), has_bom=sample.startswith(b"\xef\xbb\xbf"),
                   layout="json_lines", keep_record=False)


def csv_options(delimiter: str, quote: str) -> dict:
    """Python csv module options close to DuckDB's reading of `delimiter`.

    The csv module takes one-character delimiters only; for `, ` (the
    conversion vendor's own example) it splits on `,` and skips the space.
    """
    if len(delimiter) == 1:
        return {"delimiter": delimiter, "quotechar": quote}
    return {"delimiter": delimiter[0], "quotechar": quote, "skipinitialspace": delimiter[1:].isspace()}


def widest_record(path: str, delimiter: str, quote: str, skip_records: int, limit: int) -> int:
    """The largest number of fields of any record up to `limit` (formats with trailing columns).

    Wider records are rejected when landing (max_columns), so they must not widen the table.
    """
    unquoted = _widest_unquoted(path, delimiter[0], quote, skip_records, limit)
    if unquoted is not None:
        return unquoted
    widest = 0
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
        reader = csv.reader(handle, strict=False, **csv_options(delimiter, quote))
        for number, row in enumerate(reader):
            if number >= skip_records and widest < len(row) <= limit:
                widest = len(row)
    return widest


def _widest_unquoted(path: str, delimiter: str, quote: str, skip_records: int, limit: int,
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
                widest = max(widest, max((n for n in map(bytes.count, lines, repeat(sep)) if n < limit),
                                         default=-1) + 1)
    if rest and skipped >= skip_records and rest.count(sep) < limit:
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


def raw_column_names(header: list[str], declared: list[str] | tuple[str, ...] = ()) -> list[str]:
    """Header names made usable as column names without changing real ones.

    Names are kept exactly (quoted in SQL) except blanks, which become
    column_<n>, and repeats (case-insensitive, as the warehouse compares
    them), which get a _<k> suffix. So does a name spelled like one of the
    format's `declared` fields in another case: keys are case sensitive
    (vendor spec 003), so `OrderId` must not land in the raw column `orderId`
    that staging reads.
    """
    reserved = {d.lower(): d for d in declared}
    names: list[str] = []
    seen: set[str] = set()
    for position, raw in enumerate(header, start=1):
        name = raw.strip() or f"column_{position}"
        candidate, k = name, 1
        while candidate.lower() in seen or reserved.get(candidate.lower(), candidate) != candidate:
            k += 1
            candidate = f"{name}_{k}"
        seen.add(candidate.lower())
        names.append(candidate)
    return names
