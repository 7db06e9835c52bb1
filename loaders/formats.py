"""Vendor formats, declared once in `macros/formats/<name>.sql`.

Each of those macros holds its declaration as a YAML block between
`{% set spec %}` and `{% endset %}`; dbt reads it with `fromyaml`, and this
module reads the very same text, so the loader and the staging models can
never disagree about a format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from .errors import LoaderError, UnknownFormat, did_you_mean

# libyaml's parser when PyYAML was built with it: the same documents, read ten times faster.
YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_VOCABULARY = re.compile(r"[a-z][a-z0-9_]*")
_PACKAGE_PROJECT = Path(__file__).resolve().parents[1]
_SPEC_BLOCK = re.compile(r"\{%-?\s*set\s+spec\s*-?%\}(.*?)\{%-?\s*endset\s*-?%\}", re.S)


# nested: BigQuery exports of nested records (GA4's events_*), as Parquet or
# newline-delimited JSON, every top-level field a column, nested ones as JSON text.
LAYOUTS = ("delimited", "json_lines", "nested")
# How JSON lines are read: `strict` is JSON Lines (RFC 8259 JSON, one object a
# line); `json5_rows` is a leniency a format declares when its vendor writes
# rows that way (spec 002's "JSON rows": single quotes, a comma after each
# object, several objects on a line). jsonlines.py reads both.
JSON_SYNTAXES = ("strict", "json5_rows")
HEADER_MODES = (True, False, "auto")
# Keys of a column declaration; any other key (extract, format, default_protocol...)
# is a staging option the loader carries along untouched.
_COLUMN_KEYS = {"source", "name", "type", "required", "description", "accepted", "default",
                "source_option", "source_choices"}


@dataclass(frozen=True)
class Column:
    source: str | None      # None: not read from the file (a setting a source gives a default)
    name: str
    type: str
    required: bool = False
    description: str = ""
    accepted: tuple[str, ...] | None = None
    default: str | None = None
    options: dict = field(default_factory=dict, compare=False)
    # A source column chosen per source: meta.loader.<source_option> picks one of source_choices.
    source_option: str | None = None
    source_choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileDatePattern:
    regex: str
    format: str
    scope: str = "name"   # "path": searched in the whole path (exports write events_YYYYMMDD/ folders)


@dataclass(frozen=True)
class Format:
    name: str
    entity: str
    delimiters: tuple[str, ...]
    header: bool | str          # True, False or "auto" (detected per file)
    quote: str
    encoding: str
    file_date: FileDatePattern | None
    columns: tuple[Column, ...]
    vendor: str = ""
    extra: dict = field(default_factory=dict)
    layouts: tuple[str, ...] = ("delimited",)
    file_columns: tuple[str, ...] | None = None   # the fields of a headerless file, in order
    trailing_prefix: str | None = None            # any number of extra fields: <prefix>_1, _2...
    rows_match_file_date: str | None = None       # column whose value must equal the file-name date
    json_syntax: str = "strict"                   # one of JSON_SYNTAXES
    one_file_per_date: bool = False               # a second file for a date is warned about (it replaces the first)
    optional: tuple[str, ...] = ()                # required fields this source made optional (optional_columns)
    refused_lines: bool = False                   # JSON lines: objects holding jsonlines.REFUSED_KEY are rejects

    @property
    def source_columns(self) -> list[str]:
        """Raw columns a file of this format has at least (positional names when headerless)."""
        if self.file_columns:
            return list(self.file_columns)
        # two columns may read one field; names are case sensitive (vendor spec 003)
        return list(dict.fromkeys(c.source for c in self.columns if c.source))

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def case_sensitive(self) -> bool:
        """Header names (and accepted values) must be spelled exactly: a format whose vendor says so
        (`case_sensitive: true`, spec 003); others match them without case."""
        return bool(self.extra.get("case_sensitive"))

    @property
    def case_sensitive_names(self) -> list[str]:
        """The declared field names a header must spell exactly (none unless the format is case sensitive)."""
        return self.source_columns if self.case_sensitive else []

    @property
    def vendor_required(self) -> list[str]:
        """The file fields the format requires (a source may make some optional: optional_columns)."""
        return list(dict.fromkeys(c.source for c in self.columns if c.required and c.source))

    @property
    def item_field(self) -> str | None:
        """The file field naming the item (order, product) a row belongs to, where one item spans
        several rows (line_items.order_rows, continuation_rows); None: one row is one item. The
        report counts items (spec 003: "File Items Count", the products in the file)."""
        order_rows = (self.extra.get("line_items") or {}).get("order_rows")
        if order_rows:
            return order_rows
        key = (self.extra.get("continuation_rows") or {}).get("key")
        column = self.column(key) if key else None
        return column.source if column else None

    def for_source(self, block: dict, where: str) -> "Format":
        """This format as one source uses it: meta.loader may override file options
        (`file:`), column declarations (`columns: {name: {source, default...}}`),
        defaults (`defaults: {name: value}`, short for columns.name.default) and
        make required fields optional (`optional_columns: [field, ...]`, the
        fields a retailer's export omits; the loader warns about it at every land)."""
        file_opts = block.get("file") or {}
        columns_block = block.get("columns") or {}
        defaults = block.get("defaults") or {}
        for key, value in (("file", file_opts), ("columns", columns_block), ("defaults", defaults)):
            if not isinstance(value, dict):
                raise LoaderError(f"{where}: meta.loader.{key} must be a mapping, not {value!r}")
        for name, opts in columns_block.items():
            if opts is not None and not isinstance(opts, dict):
                raise LoaderError(f"{where}: meta.loader.columns.{name} must be a mapping such as "
                                  f"{{source: FIELD}}, not {opts!r}")
        column_opts = {name: dict(opts or {}) for name, opts in columns_block.items()}
        for name, value in defaults.items():
            column_opts.setdefault(name, {})["default"] = value
        optional = self.optional_fields(block, where)
        for name in optional:
            for c in self.columns:
                if c.source == name:
                    column_opts.setdefault(c.name, {})["required"] = False
        if not file_opts and not column_opts:
            return self
        unknown = sorted(set(column_opts) - {c.name for c in self.columns})
        if unknown:
            known = ", ".join(c.name for c in self.columns)
            raise LoaderError(f"{where}: no column {', '.join(unknown)} in format {self.name} (columns: {known})")
        columns = tuple(_column({**_declared(c), **column_opts.get(c.name, {})}) for c in self.columns)
        merged = _file_fields({**self.extra.get("_file", {}), **file_opts}, where)
        return replace(self, columns=columns, optional=tuple(optional), **merged)

    def optional_fields(self, block: dict, where: str) -> list[str]:
        """meta.loader.optional_columns, checked: required fields of the format, never the one that
        tells an order's rows apart (line_items.order_rows)."""
        optional = block.get("optional_columns") or []
        if isinstance(optional, str):
            optional = [optional]
        if not isinstance(optional, list) or not all(isinstance(x, str) for x in optional):
            raise LoaderError(f"{where}: meta.loader.optional_columns must be a list of field names, not {optional!r}")
        keys = {(self.extra.get("line_items") or {}).get("order_rows")}
        allowed = [f for f in self.vendor_required if f not in keys]
        wrong = [f for f in optional if f not in allowed]
        if wrong:
            raise LoaderError(f"{where}: meta.loader.optional_columns names {', '.join(wrong)}, not a field "
                              f"format {self.name} requires (it may name: {', '.join(allowed) or 'none'})")
        return list(dict.fromkeys(optional))


def formats_dir(project_dir: Path) -> Path:
    return project_dir / "macros" / "formats"


def available_formats(project_dir: Path) -> list[str]:
    return sorted(p.stem for p in formats_dir(project_dir).glob("*.sql"))


def load_format(project_dir: Path, name: str) -> Format:
    path = formats_dir(project_dir) / f"{name}.sql"
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name) or not path.is_file():
        known = available_formats(project_dir)
        raise UnknownFormat(f"unknown format {name!r}{did_you_mean(name, known)} "
                            f"(known formats: {', '.join(known) or 'none'})")
    return _to_format(read_declaration(path), path)


def read_declaration(path: Path):
    """The YAML block of a declaration macro (a format, the user id types), as dbt's fromyaml reads it."""
    match = _SPEC_BLOCK.search(path.read_text(encoding="utf-8"))
    if not match:
        raise LoaderError(f"{path}: no '{{% set spec %}}' YAML block found")
    try:
        return yaml.load(match.group(1), Loader=YamlLoader)
    except yaml.YAMLError as exc:
        raise LoaderError(f"{path}: the declaration's YAML does not parse: {exc}") from None


def _to_format(spec: dict, path: Path) -> Format:
    try:
        file_opts = spec["file"]
        extra = {k: v for k, v in spec.items() if k not in {"name", "entity", "vendor", "file", "columns"}}
        return Format(
            name=spec["name"],
            entity=spec["entity"],
            vendor=spec.get("vendor", ""),
            columns=tuple(_column(c, path) for c in spec["columns"]),
            extra={**extra, "_file": dict(file_opts)},
            **_file_fields(file_opts, str(path)),
        )
    except (KeyError, TypeError) as exc:
        raise LoaderError(f"{path}: format declaration is missing {exc}") from None


def _column(c: dict, path: Path | None = None) -> Column:
    return Column(
        source=c.get("source", c["name"]),
        name=c["name"],
        type=c["type"],
        required=bool(c.get("required", False)),
        description=c.get("description", ""),
        accepted=_accepted(c.get("accepted"), path),
        default=c.get("default"),
        options={k: v for k, v in c.items() if k not in _COLUMN_KEYS},
        source_option=c.get("source_option"),
        source_choices=tuple(c.get("source_choices") or ()),
    )


def _accepted(value, path: Path | None) -> tuple[str, ...] | None:
    """A column's accepted values: a list, or the name of a vocabulary declared once in
    macros/rules/<name>.sql (`accepted: line_item_statuses`), which format_spec resolves the same way."""
    if not value:
        return None
    if isinstance(value, str):
        if not _VOCABULARY.fullmatch(value):
            raise LoaderError(f"{path or 'a column'}: accepted must be a list or a vocabulary name, not {value!r}")
        # the project of the format, then the loader's own (a test project may link only macros/formats)
        homes = [path.resolve().parents[1] / "rules"] if path else []
        homes.append(_PACKAGE_PROJECT / "macros" / "rules")
        declared = next((home / f"{value}.sql" for home in homes if (home / f"{value}.sql").is_file()), None)
        if declared is None:
            raise LoaderError(f"{path or 'a column'}: accepted names {value!r}, "
                              f"but macros/rules/{value}.sql does not exist")
        value = read_declaration(declared)
        if not isinstance(value, list):
            raise LoaderError(f"{declared}: a vocabulary's YAML block must be a list of values")
    return tuple(str(v) for v in value)


def _declared(c: Column) -> dict:
    out = {"source": c.source, "name": c.name, "type": c.type, "required": c.required,
           "description": c.description, "default": c.default, **c.options}
    if c.source_option:
        out.update(source_option=c.source_option, source_choices=list(c.source_choices))
    if c.accepted:
        out["accepted"] = list(c.accepted)
    return out


def _file_date_pattern(date: dict, where: str) -> FileDatePattern:
    scope = date.get("in", "name")
    if scope not in ("name", "path"):
        raise LoaderError(f"{where}: file.file_date.in must be name or path, not {scope!r}")
    return FileDatePattern(date["regex"], date["format"], scope)


def _file_fields(file_opts: dict, where: str) -> dict:
    """The Format fields a `file:` block sets (format declaration or a source's override)."""
    date = file_opts.get("file_date")
    header = file_opts.get("header", True)
    layouts = tuple(file_opts.get("layouts", ["delimited"]))
    if header not in HEADER_MODES:
        raise LoaderError(f"{where}: file.header must be true, false or auto, not {header!r}")
    if not layouts or set(layouts) - set(LAYOUTS):
        raise LoaderError(f"{where}: file.layouts must be a list of {', '.join(LAYOUTS)}")
    delimiters = tuple(file_opts.get("delimiters", [","]))
    if any(not d or len(d.encode()) > 4 for d in delimiters):
        raise LoaderError(f"{where}: a delimiter must be 1 to 4 bytes long")
    trailing = file_opts.get("trailing_columns") or {}
    json_syntax = file_opts.get("json_syntax", "strict")
    if json_syntax not in JSON_SYNTAXES:
        raise LoaderError(f"{where}: file.json_syntax must be one of {', '.join(JSON_SYNTAXES)}, not {json_syntax!r}")
    return {
        "delimiters": delimiters,
        "header": header,
        "quote": file_opts.get("quote", '"'),
        "encoding": file_opts.get("encoding", "utf-8"),
        "file_date": _file_date_pattern(date, where) if date else None,
        "layouts": layouts,
        "file_columns": tuple(file_opts["columns"]) if file_opts.get("columns") else None,
        "trailing_prefix": trailing.get("prefix"),
        "rows_match_file_date": file_opts.get("rows_match_file_date"),
        "json_syntax": json_syntax,
        "one_file_per_date": bool(file_opts.get("one_file_per_date", False)),
        "refused_lines": bool(file_opts.get("refused_lines", False)),
    }
