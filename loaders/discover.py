"""Sniff a sample file a new retailer sent and propose its add-retailer command.

The sample is read with the landing code itself, so the proposal never
disagrees with what `land` will detect: decode.py unpacks it (`.gz`, the
first member of a `.zip`) and detects its encoding as `encoding: auto`
does, and for every known format sniff.py reads it as that format would be
read (JSON lines or the delimiter, a header or not). Each format is then
scored on the sample: the fields its header (or JSON keys) shares with the
format's, and for formats whose fields come by position (a headerless
file, a header the vendor makes optional) how many values have the type of
their column. A format whose declared delimiter does not fit is tried with
the file's own, and the proposal says to declare it. Also shown: a date (and
hour) in the file name, turned into `*` in the proposed location; the
format's required fields the file lacks; timestamps in a non-ISO form
(proposed as --timestamp patterns). Nothing is written: the analyst reviews
the proposal and runs it.

A format whose files the text sniffer cannot read (a Parquet export, like
GA4's) registers a probe in LAYOUT_PROBES for its layout; a format of
nested exports (`nested`: GA4's, as Parquet or JSON lines) is read by
sniff.py's own reader for them. API formats are fetched, never a sample
file: discover does not propose them. A doubt about the detected encoding is
said with the words it quotes masked as landing masks them.
"""

from __future__ import annotations

import csv
import json
import re
import shlex
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from . import decode
from .api import kind_of_format
from .discovery import NameStamp, name_stamp
from .errors import FileError, LoaderError
from .formats import Format, available_formats, load_format
from .jsonlines import json5_rows
from .parquet import MAGIC as PARQUET_MAGIC
from .pii import Policy
from .sniff import VALUE_PATTERNS, Dialect, csv_options, sniff

_SAMPLE_ROWS = 200
_DELIMITERS = [",", ";", "\t", "|"]    # tried for a format whose declared delimiter does not fit
_MIN_TYPE_FIT = 0.5                    # positional formats: at least half the values of their column's type
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
class Probe:
    """What a layout probe reads from a sample its format's files look like: the field names."""

    fields: list[str]
    rows: list[list[str]] = field(default_factory=list)


# layout -> probe(path, format): the sample's fields read as that layout, or None when it is not one.
# Text layouts (delimited, json_lines) are read by sniff.py; others (e.g. parquet) register here.
LAYOUT_PROBES: dict[str, Callable[[str, Format], Probe | None]] = {}


@dataclass
class Discovery:
    path: Path
    encoding: str
    has_bom: bool
    layout: str                       # delimited, json_lines, parquet, or a probed layout
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
    options: dict[str, str] = field(default_factory=dict)     # meta.loader options the proposal sets

    def command(self, retailer: str, dataset: str) -> str:
        args = ["retail-imports", "add-retailer", retailer, "--dataset",
                f"{dataset}:{self.format or 'generic_csv'}:{self.location}"]
        for key, value in self.options.items():
            args += ["--option", f"{dataset}:{key}={value}"]
        for name, pattern in self.timestamps.items():
            args += ["--timestamp", f"{dataset}:{name}:{pattern}"]
        return shlex.join(args)


@dataclass
class _Fit:
    score: float
    fmt: Format
    dialect: Dialect | None
    fields: list[str]              # header names or JSON keys (empty for a positional read)
    rows: list[list[str]]          # the data records as that format reads them
    shared: list[str]
    declared_delimiter: bool = True
    positional: float = 0.0

    @property
    def fits(self) -> bool:
        """A field in common, or (fields by position) most values of their column's type."""
        return bool(self.shared) or self.positional >= _MIN_TYPE_FIT


def discover(path: Path, project_dir: Path, drop_folder: str | None = None) -> Discovery:
    try:
        with open(path, "rb") as handle:
            head = handle.read(1 << 16)
    except OSError as exc:
        raise LoaderError(f"{path}: cannot read the sample ({exc.strerror})") from None
    if not head.strip():
        raise LoaderError(f"{path}: the sample is empty")
    # Parquet is binary: landing reads it as it is, so no encoding is detected (nor proposed)
    encoding = "utf-8" if head.startswith(PARQUET_MAGIC) else "auto"
    notes: list[str] = []
    with decode.workdir() as work:
        units = decode.units(str(path), path.name, {"encoding": encoding}, work)   # the first member of an archive
        try:
            unit = next(units)
            if unit.error:
                raise unit.error
            if unit.name != path.name:
                notes.append(f"an archive: its members land one by one, each like {unit.name.split('/', 1)[1]!r}")
            # API formats are fetched, never a sample file
            fits = [fit for name in available_formats(project_dir) if not kind_of_format(name)
                    for fit in _fits(unit.path, load_format(project_dir, name))]
            best = max((f for f in fits if f.fits), key=lambda f: (f.score, f.declared_delimiter), default=None)
            if best is None:
                return _generic(project_dir, path, unit, name_stamp(path.name), notes, drop_folder)
        except FileError as exc:
            raise LoaderError(f"{path}: {exc.problem}") from None
        finally:
            units.close()
    stamp = name_stamp(path.name)
    location = _location(path, stamp, drop_folder)
    dialect = best.dialect
    found = Discovery(path, unit.encoding, bool(dialect and dialect.has_bom), dialect.layout if dialect else "",
                      dialect.delimiter if dialect else None, bool(dialect and dialect.header is not None),
                      list(best.fields), stamp, location, best.fmt.name, shared=best.shared, notes=notes)
    _explain(found, best, unit)
    return found


def _location(path: Path, stamp: NameStamp | None, drop_folder: str | None) -> str:
    # the date and its hour become one `*`: the location matches every day, and every hour of it
    glob = path.name.replace(stamp.text, "*") if stamp else path.name
    folder = drop_folder if drop_folder is not None else str(path.parent)
    return f"{folder.rstrip('/')}/{glob}" if folder else glob


def _fits(path: str, fmt: Format) -> list[_Fit]:
    """How well the sample reads as `fmt`: as declared, and with each other delimiter the file may use."""
    for layout in fmt.layouts:
        if layout in LAYOUT_PROBES:
            probe = LAYOUT_PROBES[layout](path, fmt)
            return [_score(fmt, None, probe.fields, probe.rows)] if probe else []
    fits = []
    for delimiter in [None, *(d for d in _DELIMITERS if d not in fmt.delimiters)]:
        variant = fmt if delimiter is None else replace(fmt, delimiters=(delimiter,))
        if delimiter is not None and "delimited" not in fmt.layouts:
            break
        try:
            dialect = sniff(path, variant)
        except FileError:
            continue
        if dialect.layout == "json_lines":
            keys, rows = _json_sample(path, fmt)
            return [_score(fmt, dialect, keys, rows)]
        if dialect.layout == "parquet":   # a nested export (sniff.py read its schema): no text records
            return [_score(fmt, dialect, dialect.header or [], [])]
        if delimiter is not None and dialect.delimiter != delimiter:
            continue
        records = _records(path, dialect, fmt)
        fit = _score(fmt, dialect, dialect.header or [], records)
        fit.declared_delimiter = delimiter is None
        if not fit.declared_delimiter:
            fit.score *= 0.9   # the format as declared wins a tie
        fits.append(fit)
    return fits


def _records(path: str, dialect: Dialect, fmt: Format) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
        reader = csv.reader(handle, strict=False, **csv_options(dialect.delimiter, fmt.quote))
        rows = []
        for number, row in enumerate(reader):
            if number >= _SAMPLE_ROWS + 1:
                break
            if row:
                rows.append(row)
    return rows[1:] if dialect.header is not None else rows


def _json_sample(path: str, fmt: Format) -> tuple[list[str], list[list[str]]]:
    """The keys of the first JSON records, read with the format's JSON syntax."""
    keys: dict[str, None] = {}
    with open(path, encoding="utf-8-sig", errors="replace") as handle:
        for number, line in enumerate(handle):
            if number >= _SAMPLE_ROWS:
                break
            if fmt.json_syntax == "json5_rows":
                objects = [json.loads(o) for o in json5_rows(line.strip())[0]]
            else:
                try:
                    objects = [json.loads(line)]
                except ValueError:
                    continue
            for record in objects:
                if isinstance(record, dict):
                    keys.update(dict.fromkeys(record))
    return list(keys), []


def _normal(name: str) -> str:
    """Names compared loosely: case, spaces and punctuation aside ("Time Stamp" is time_stamp)."""
    return re.sub(r"[^0-9a-z]", "", name.lower())


def _score(fmt: Format, dialect: Dialect | None, fields: list[str], rows: list[list[str]]) -> _Fit:
    """Share of fields in common (named), or of values of their column's type (positional), 0 to 1."""
    declared = {_normal(c): c for c in fmt.source_columns}
    have = {_normal(f): f for f in fields if f.strip()}
    shared = [have[n] for n in have if n in declared]
    named = len(shared) / len(set(declared) | set(have)) if declared and have else 0.0
    positional = _type_fit(fmt, rows) if fmt.file_columns else 0.0
    return _Fit(max(named, positional), fmt, dialect, fields, rows, shared, positional=positional)


def _type_fit(fmt: Format, rows: list[list[str]]) -> float:
    """For a format whose fields come by position: how many records have its width and values of its types."""
    if not rows:
        return 0.0
    width = len(fmt.file_columns)
    right_width = [r for r in rows if len(r) == width or (fmt.trailing_prefix and len(r) >= width)]
    typed = [(fmt.file_columns.index(c.source), VALUE_PATTERNS[c.type]) for c in fmt.columns
             if c.source in fmt.file_columns and c.type in VALUE_PATTERNS]
    if not typed or not right_width:
        return 0.0
    checked = [re.fullmatch(pattern, r[i].strip()) is not None
               for r in right_width for i, pattern in typed if r[i].strip()]
    return (len(right_width) / len(rows)) * (sum(checked) / len(checked) if checked else 0.0)


def _explain(found: Discovery, best: _Fit, unit: decode.Unit) -> None:
    fmt = best.fmt
    if not best.declared_delimiter:
        found.notes.append(f"{fmt.name} files use {' or '.join(map(repr, fmt.delimiters))}: add "
                           f"file: {{delimiters: [{found.delimiter!r}]}} to the source's meta.loader")
    if unit.doubt:
        # it quotes words of the sample: masked as landing will mask them for this format
        found.notes.append(f"encoding {unit.encoding} is a guess: {Policy.for_source(fmt, {}).mask_quotes(unit.doubt)}"
                           "; check it and set encoding: in meta.loader")
    if unit.encoding != "utf-8":
        found.options["encoding"] = "auto"
        found.notes.append(f"encoding {unit.encoding} (detected): the proposal sets encoding: auto, so each file's "
                           "encoding is detected as here (or set the encoding you know)")
    if fmt.file_columns and not best.fields and found.layout == "delimited":
        found.notes.append(f"no header: fields read by position as {fmt.name} declares them "
                           f"({', '.join(fmt.file_columns[:8])}{', ...' if len(fmt.file_columns) > 8 else ''}); "
                           "a source with other fields lists them in file.columns")
        return
    have = {_normal(h): i for i, h in enumerate(best.fields)}
    exact = {h.strip() for h in best.fields}
    found.missing = [name for name in fmt.vendor_required
                     if (name not in exact if fmt.case_sensitive else _normal(name) not in have)]
    for name in found.missing:
        if _normal(name) in have:   # keys are case sensitive (vendor spec 003)
            field_name = best.fields[have[_normal(name)]]
            found.notes.append(f"field {field_name!r} is not {name!r}: keys are case sensitive "
                               f"(rename it in the export, or --rename DATASET:{field_name}={name})")
    for column in fmt.columns:
        index = have.get(_normal(column.source or ""))
        if column.type != "timestamp" or index is None:
            continue
        values = [r[index].strip() for r in best.rows if len(r) > index and r[index].strip()][:50]
        for regex, pattern in _VALUE_TIMESTAMPS:
            # most values, not all: a sample may hold the odd bad value, which staging then flags
            if values and sum(1 for v in values if re.fullmatch(regex, v)) * 2 > len(values):
                found.timestamps[best.fields[index]] = pattern
                break


def _generic(project_dir: Path, path: Path, unit: decode.Unit, stamp: NameStamp | None, notes: list[str],
             drop_folder: str | None) -> Discovery:
    """No format fits: generic_csv lands any delimited file with a header as text, for a first look."""
    location = _location(path, stamp, drop_folder)
    generic = load_format(project_dir, "generic_csv")
    try:
        dialect = sniff(unit.path, generic)
    except FileError as exc:
        raise LoaderError(f"{path}: {exc.problem}") from None
    is_json = Path(unit.path).read_text(encoding="utf-8-sig", errors="replace")[:64].lstrip()[:1] in ("{", "[")
    if is_json:
        notes.append("no known format fits these JSON lines")
        return Discovery(path, unit.encoding, dialect.has_bom, "json_lines", None, False, [], stamp, location, None,
                         notes=notes)
    notes.append("no known format fits the sample: generic_csv lands it as text, its first line as the header")
    header = dialect.header or []
    has_header = _names_only(header)
    if not has_header:
        notes.append("no header line: declare the fields with a file.columns option")
    return Discovery(path, unit.encoding, dialect.has_bom, "delimited", dialect.delimiter, has_header,
                     header if has_header else [], stamp, location, "generic_csv", notes=notes)


def _names_only(record: list[str]) -> bool:
    """A header, as far as a file of no known format tells: names, all different; no empty, numeric or date field."""
    names = [f.strip() for f in record]
    return bool(names) and len(set(names)) == len(names) and \
        not any(not f or re.fullmatch(r"[-+]?[\d.,:/ T-]+", f) for f in names)
