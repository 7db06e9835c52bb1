"""Sniff a sample file a new retailer sent and propose its add-retailer command.

What it reads: the encoding (as landing detects it, decode.detect), Parquet,
JSON lines or the delimiter (a .gz sample is read unpacked), whether the
first line is a header, a date in the file name
(to turn the name into a location glob), the known format whose fields the
header shares most, the format's required fields the header lacks, and
timestamp fields in a non-ISO form (proposed as --timestamp patterns).
Nothing is written: the analyst reviews the proposal and runs it.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zlib
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from .api import kind_of_format
from .decode import detect
from .errors import FileError, LoaderError
from .formats import Format, available_formats, load_format
from .parquet import MAGIC as PARQUET_MAGIC, parquet_columns
from .pii import Policy
from .tempdirs import private_folder

_SAMPLE_BYTES = 1 << 16
_DELIMITERS = [",", ";", "\t", "|"]
# (regex of a date in a file name, its strptime format)
_NAME_DATES = [(r"\d{4}-\d{2}-\d{2}", "%Y-%m-%d"), (r"\d{4}_\d{2}_\d{2}", "%Y_%m_%d"), (r"(?<!\d)\d{8}(?!\d)", "%Y%m%d")]
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
    layout: str                       # delimited, json_lines or parquet
    delimiter: str | None
    has_header: bool
    header: list[str]
    name_date: tuple[str, str] | None  # (the date text in the name, its strptime format)
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
        sample = _head(path)
    except OSError as exc:
        raise LoaderError(f"{path}: cannot read the sample ({getattr(exc, 'strerror', None) or exc})") from None
    if not sample.strip():
        raise LoaderError(f"{path}: the sample is empty")
    if sample.startswith(PARQUET_MAGIC):
        return _discover_parquet(path, project_dir, drop_folder)
    has_bom = sample.startswith(b"\xef\xbb\xbf")
    encoding, doubt = _encoding(path, sample)
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
    name_date = _name_date(path.name)
    found = Discovery(path, encoding, has_bom, layout, delimiter, has_header, header, name_date,
                      _location(path, name_date, drop_folder), None, notes=notes)
    _closest_format(found, project_dir, rows)
    if doubt:
        # it quotes words of the sample: masked as landing will mask it for the closest format
        policy = Policy.for_source(load_format(project_dir, found.format), {}) if found.format else Policy()
        found.notes.insert(0, f"encoding {encoding} is a guess: {policy.mask_quotes(doubt)}; check it and set "
                              "encoding: in meta.loader")
    return found


def _head(path: Path) -> bytes:
    """The sample's first bytes, unpacked when it is gzip (exports are often .json.gz)."""
    with open(path, "rb") as handle:
        head = handle.read(_SAMPLE_BYTES)
    if not head.startswith(b"\x1f\x8b"):
        return head
    try:
        with gzip.open(path, "rb") as handle:
            return handle.read(_SAMPLE_BYTES)
    except (OSError, EOFError, zlib.error) as exc:
        raise LoaderError(f"{path}: gzip data is damaged: {exc}") from None


def _encoding(path: Path, sample: bytes) -> tuple[str, str | None]:
    """(encoding, doubt) as landing detects it; of a gzip sample, judged on its unpacked start."""
    with open(path, "rb") as handle:
        packed = handle.read(2) == b"\x1f\x8b"
    if not packed:
        return detect(str(path))
    if len(sample) == _SAMPLE_BYTES and b"\n" in sample:
        sample = sample[:sample.rindex(b"\n") + 1]   # a character cut at the sample's end is no sign
    with private_folder("discover") as folder:
        unpacked = Path(folder) / "sample"
        unpacked.write_bytes(sample)
        return detect(str(unpacked))


def _location(path: Path, name_date: tuple[str, str] | None, drop_folder: str | None) -> str:
    glob = path.name.replace(name_date[0], "*") if name_date else path.name
    folder = drop_folder if drop_folder is not None else str(path.parent)
    return f"{folder.rstrip('/')}/{glob}" if folder else glob


def _discover_parquet(path: Path, project_dir: Path, drop_folder: str | None) -> Discovery:
    """A Parquet sample (a BigQuery export): its schema's top-level fields are the header."""
    try:
        header = [name for name, _ in parquet_columns(str(path))]
    except FileError as exc:
        raise LoaderError(f"{path}: {exc.problem}") from None
    name_date = _name_date(path.name)
    found = Discovery(path, "binary", False, "parquet", None, True, header, name_date,
                      _location(path, name_date, drop_folder), None)
    _closest_format(found, project_dir, [])
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


def _name_date(name: str) -> tuple[str, str] | None:
    for regex, fmt in _NAME_DATES:
        match = re.search(regex, name)
        if match:
            return match.group(0), fmt
    return None


def _closest_format(found: Discovery, project_dir: Path, rows: list[list[str]]) -> None:
    have = {h.strip().lower(): i for i, h in enumerate(found.header)}
    best: tuple[float, Format, list[str]] | None = None
    for name in available_formats(project_dir):
        fmt = load_format(project_dir, name)
        # nested exports (GA4) come as Parquet or JSON lines; API formats are fetched, never a sample file
        nested = "nested" in fmt.layouts and found.layout in ("parquet", "json_lines")
        if (found.layout not in fmt.layouts and not nested) or kind_of_format(name):
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
    if found.encoding.lower().replace("_", "-") not in (fmt.encoding.lower(), "utf-8", "binary"):
        found.notes.append(f"encoding {found.encoding}: add file: {{encoding: {found.encoding}}} to meta.loader")
    found.format, found.shared = fmt.name, [found.header[have[f]] for f in shared]
    exact = {h.strip() for h in found.header} if fmt.case_sensitive else set(have)
    found.missing = [name for name in fmt.vendor_required
                     if (name if fmt.case_sensitive else name.lower()) not in exact]
    for name in found.missing:
        if name.lower() in have:   # keys are case sensitive (vendor spec 003)
            found.notes.append(f"field {found.header[have[name.lower()]]!r} is not {name!r}: keys are case sensitive "
                               f"(rename it in the export, or --rename DATASET:{found.header[have[name.lower()]]}={name})")
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
