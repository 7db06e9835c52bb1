"""Vendor formats, declared once in `macros/formats/<name>.sql`.

Each of those macros holds its declaration as a YAML block between
`{% set spec %}` and `{% endset %}`; dbt reads it with `fromyaml`, and this
module reads the very same text, so the loader and the staging models can
never disagree about a format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import LoaderError

_SPEC_BLOCK = re.compile(r"\{%-?\s*set\s+spec\s*-?%\}(.*?)\{%-?\s*endset\s*-?%\}", re.S)


@dataclass(frozen=True)
class Column:
    source: str
    name: str
    type: str
    required: bool = False
    description: str = ""
    accepted: tuple[str, ...] | None = None
    default: str | None = None
    # A source column chosen per source: meta.loader.<source_option> picks one of source_choices.
    source_option: str | None = None
    source_choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileDatePattern:
    regex: str
    format: str


@dataclass(frozen=True)
class Format:
    name: str
    entity: str
    delimiters: tuple[str, ...]
    header: bool
    quote: str
    encoding: str
    file_date: FileDatePattern | None
    columns: tuple[Column, ...]
    vendor: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def source_columns(self) -> list[str]:
        return [c.source for c in self.columns]


def formats_dir(project_dir: Path) -> Path:
    return project_dir / "macros" / "formats"


def available_formats(project_dir: Path) -> list[str]:
    return sorted(p.stem for p in formats_dir(project_dir).glob("*.sql"))


def load_format(project_dir: Path, name: str) -> Format:
    path = formats_dir(project_dir) / f"{name}.sql"
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name) or not path.is_file():
        known = ", ".join(available_formats(project_dir)) or "none"
        raise LoaderError(f"unknown format {name!r} (known formats: {known})")
    match = _SPEC_BLOCK.search(path.read_text(encoding="utf-8"))
    if not match:
        raise LoaderError(f"{path}: no '{{% set spec %}}' YAML block found")
    try:
        spec = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise LoaderError(f"{path}: the format's YAML does not parse: {exc}") from None
    return _to_format(spec, path)


def _to_format(spec: dict, path: Path) -> Format:
    try:
        file_opts = spec["file"]
        date = file_opts.get("file_date")
        columns = tuple(
            Column(
                source=c["source"],
                name=c["name"],
                type=c["type"],
                required=bool(c.get("required", False)),
                description=c.get("description", ""),
                accepted=tuple(c["accepted"]) if c.get("accepted") else None,
                default=c.get("default"),
                source_option=c.get("source_option"),
                source_choices=tuple(c.get("source_choices") or ()),
            )
            for c in spec["columns"]
        )
        return Format(
            name=spec["name"],
            entity=spec["entity"],
            vendor=spec.get("vendor", ""),
            delimiters=tuple(file_opts.get("delimiters", [","])),
            header=bool(file_opts.get("header", True)),
            quote=file_opts.get("quote", '"'),
            encoding=file_opts.get("encoding", "utf-8"),
            file_date=FileDatePattern(date["regex"], date["format"]) if date else None,
            columns=columns,
            extra={k: v for k, v in spec.items() if k not in {"name", "entity", "vendor", "file", "columns"}},
        )
    except (KeyError, TypeError) as exc:
        raise LoaderError(f"{path}: format declaration is missing {exc}") from None
