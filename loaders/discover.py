"""Sniff a sample file a new retailer sent and propose its add-retailer command.

What it reads: the encoding (charset-normalizer, a BOM wins), JSON lines or
the delimiter, whether the first line is a header, a date in the file name
(to turn the name into a location glob), the known format whose fields the
header shares most, the format's required fields the header lacks, and
timestamp fields in a non-ISO form (proposed as --timestamp patterns).
Nothing is written: the analyst reviews the proposal and runs it.
"""

from __future__ import annotations

import csv
import io
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from charset_normalizer import from_bytes

from .discovery import NameStamp, name_stamp
from .errors import LoaderError
from .formats import Format, available_formats, load_format

_SAMPLE_BYTES = 1 << 16
_DELIMITERS = [",", ";", "\t", "|"]
# (regex of a whole value, Java-style pattern) for timestamps ISO-8601 parsing refuses
_VALUE_TIMESTAMPS = [
    (r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", "dd/MM/yyyy HH:mm"),
    (r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}", "dd/MM/yyyy HH:mm:ss"),
    (r"\d{4}/\d{2}/\d{2} \d{2}:\d{2}", "yyyy/MM/dd HH:mm"),
    (r"\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}", "yyyy/MM/dd HH:mm:ss"),
    (r"\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}", "dd.MM.yyyy HH:mm"),
    (r"\d{2}-\d{2}-\d{4} \d{2}:\d{2}", "dd-MM-yyyy HH:mm"),
]


@dataclass
class Discovery:
    path: Path
    encoding: str
    has_bom: bool
    layout: str                       # delimited or json_lines
    delimiter: str | None
    has_header: bool
    header: list[str]
    name_stamp: NameStamp | None      # the date (and hour) in the name
    location: str
    format: str | None
    shared: list[str] = field(default_factory=list)    # fields of the format the header has
    missing: list[str] = field(default_factory=list)   # required fields of the format it lacks
    timestamps: dict[str, str] = field(default_factory=dict)  # field -> Java-style pattern
    notes: list[str] = field(default_factory=list)

    def command(self, retailer: str, dataset: str) -> str:
        args = ["retail-imports", "add-retailer", retailer, "--dataset",
                f"{dataset}:{self.format or 'generic_csv'}:{self.location}"]
        for name, pattern in self.timestamps.items():
            args += ["--timestamp", f"{dataset}:{name}:{pattern}"]
        return shlex.join(args)


def discover(path: Path, project_dir: Path, drop_folder: str | None = None) -> Discovery:
    try:
        sample = path.read_bytes()[:_SAMPLE_BYTES]
    except OSError as exc:
        raise LoaderError(f"{path}: cannot read the sample ({exc.strerror})") from None
    if not sample.strip():
        raise LoaderError(f"{path}: the sample is empty")
    has_bom = sample.startswith(b"\xef\xbb\xbf")
    best = None if has_bom else from_bytes(sample).best()
    encoding = "utf-8" if has_bom or best is None or best.encoding == "ascii" else best.encoding.replace("_", "-")
    text = sample.decode("utf-8-sig" if has_bom else encoding, errors="replace")
    lines = text.splitlines()
    if len(sample) == _SAMPLE_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the sample may cut the last line
    notes = []
    if text.lstrip()[:1] in ("{", "["):
        layout, delimiter, has_header, header, rows = "json_lines", None, False, _json_keys(lines), []
    else:
        layout = "delimited"
        delimiter = _delimiter(lines)
        rows = list(csv.reader(io.StringIO("\n".join(lines[:200])), delimiter=delimiter))
        has_header = _looks_like_header(rows)
        header = rows[0] if has_header and rows else []
        rows = rows[1:] if has_header else rows
        if not has_header:
            notes.append("no header line: declare the fields with a file.columns option")
    stamp = name_stamp(path.name)
    # the date and its hour become one `*`: the location matches every day, and every hour of it
    glob = path.name.replace(stamp.text, "*") if stamp else path.name
    folder = drop_folder if drop_folder is not None else str(path.parent)
    location = f"{folder.rstrip('/')}/{glob}" if folder else glob
    found = Discovery(path, encoding, has_bom, layout, delimiter, has_header, header, stamp, location, None,
                      notes=notes)
    _closest_format(found, project_dir, rows)
    return found


def _json_keys(lines: list[str]) -> list[str]:
    import json

    keys: dict[str, None] = {}
    for line in lines[:200]:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            keys.update(dict.fromkeys(record))
    return list(keys)


def _delimiter(lines: list[str]) -> str:
    """The candidate that splits the first lines into the same number (> 1) of fields most often."""
    def score(d: str) -> tuple[int, int]:
        counts = [len(next(csv.reader([line], delimiter=d), [])) for line in lines[:20] if line.strip()]
        if not counts or counts[0] < 2:
            return (0, 0)
        return (sum(1 for c in counts if c == counts[0]), counts[0])
    return max(_DELIMITERS, key=score)


def _looks_like_header(rows: list[list[str]]) -> bool:
    """A header: no empty, numeric or date-like field, names all different."""
    if not rows:
        return False
    first = [f.strip() for f in rows[0]]
    if any(not f or re.fullmatch(r"[-+]?[\d.,:/ T-]+", f) for f in first) or len(set(first)) != len(first):
        return False
    return True


def _closest_format(found: Discovery, project_dir: Path, rows: list[list[str]]) -> None:
    have = {h.strip().lower(): i for i, h in enumerate(found.header)}
    best: tuple[float, Format, list[str]] | None = None
    for name in available_formats(project_dir):
        fmt = load_format(project_dir, name)
        if found.layout not in fmt.layouts:
            continue
        fields = [c.lower() for c in fmt.source_columns]
        if not fields or fmt.file_columns:
            continue
        shared = [f for f in fields if f in have]
        score = len(shared) / len(set(fields) | set(have))   # Jaccard: shared fields over all fields
        if shared and (best is None or score > best[0]):
            best = (score, fmt, shared)
    if best is None:
        found.format = "generic_csv" if found.layout == "delimited" else None
        found.notes.append("no known format shares a field with the header: generic_csv lands it as text")
        return
    _, fmt, shared = best
    if found.delimiter and found.delimiter not in fmt.delimiters:
        found.notes.append(f"{fmt.name} files use {' or '.join(map(repr, fmt.delimiters))}: add "
                           f"file: {{delimiters: [{found.delimiter!r}]}} to the source's meta.loader")
    if found.encoding.lower().replace("_", "-") not in (fmt.encoding.lower(), "utf-8"):
        found.notes.append(f"encoding {found.encoding}: add file: {{encoding: {found.encoding}}} to meta.loader")
    found.format, found.shared = fmt.name, [found.header[have[f]] for f in shared]
    found.missing = [c.source for c in fmt.columns
                     if c.required and c.source and c.source.lower() not in have]
    for column in fmt.columns:
        index = have.get((column.source or "").lower())
        if column.type != "timestamp" or index is None:
            continue
        values = [r[index].strip() for r in rows if len(r) > index and r[index].strip()][:50]
        for regex, pattern in _VALUE_TIMESTAMPS:
            # most values, not all: a sample may hold the odd bad value, which staging then flags
            if values and sum(1 for v in values if re.fullmatch(regex, v)) * 2 > len(values):
                found.timestamps[found.header[index]] = pattern
                break
