"""Read a delivered file's first record: its header and its delimiter."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from .errors import FileError
from .formats import Format

_SAMPLE_BYTES = 1 << 16


@dataclass(frozen=True)
class Dialect:
    delimiter: str
    header: list[str] | None   # None for formats without a header line
    has_bom: bool


def sniff(path: str, fmt: Format) -> Dialect:
    with open(path, "rb") as handle:
        sample = handle.read(_SAMPLE_BYTES)
    if not sample.strip():
        raise FileError(path, "file is empty")
    has_bom = sample.startswith(b"\xef\xbb\xbf")
    text = sample.decode("utf-8-sig", errors="replace")
    first_line = text.splitlines()[0] if text.splitlines() else ""
    delimiter = _pick_delimiter(first_line, fmt.delimiters)
    header = None
    if fmt.header:
        try:
            # newline="" so a file with CR-only line breaks still yields one header line
            header = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar=fmt.quote))
        except (csv.Error, StopIteration) as exc:
            raise FileError(path, f"cannot read the header line: {exc}", line=1) from None
        if not any(h.strip() for h in header):
            raise FileError(path, "header line is blank", line=1)
    return Dialect(delimiter=delimiter, header=header, has_bom=has_bom)


def _pick_delimiter(line: str, allowed: tuple[str, ...]) -> str:
    """The allowed delimiter seen most often outside quotes in the first line."""
    counts = dict.fromkeys(allowed, 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(allowed, key=lambda d: counts[d])
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
