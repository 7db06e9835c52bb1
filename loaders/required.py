"""A delivered file's header must hold the columns its format requires.

A required column missing from the header would make every row of the file
invalid; the file is refused instead, with a message naming the file and the
missing columns, and the next run tries it again. Names are compared trimmed
and case-insensitively, as staging matches them.
"""

from __future__ import annotations

from .errors import FileError, LoaderError
from .formats import Format


def required_columns(fmt: Format, options: dict, source_key: str = "") -> list[str]:
    """The header names a file of `fmt` must have, with the source's column choices applied."""
    names = []
    for column in fmt.columns:
        if not column.required or not column.source:   # derived columns come from no header field
            continue
        name = column.source
        if column.source_option and options.get(column.source_option):
            name = str(options[column.source_option])
            if column.source_choices and name not in column.source_choices:
                raise LoaderError(
                    f"{source_key}: meta.loader.{column.source_option} is {name!r}; format {fmt.name} accepts "
                    f"{' or '.join(column.source_choices)}"
                )
        names.append(_delivered_as(name, options.get("transformations") or []))
    return [n for n in names if n is not None]


def _delivered_as(name: str, transformations: list) -> str | None:
    """The header field that gives column `name` once the source's transformations
    (meta.loader.transformations, applied in staging) have run: a rename or copy
    to `name` reads another field; a new field needs none (None)."""
    for step in reversed(transformations):
        if not isinstance(step, dict) or str(step.get("to") or step.get("new") or "").lower() != name.lower():
            continue
        if "new" in step:
            return None
        if "rename" in step or "copy" in step:
            return _delivered_as(str(step.get("rename") or step.get("copy")), transformations[: transformations.index(step)])
    return name


def check_required_columns(path: str, fmt: Format, header: list[str] | None, options: dict,
                           source_key: str = "") -> None:
    if header is None or fmt.file_columns:
        return  # positional formats: a header line, when there is one, does not name the fields
    have = {h.strip().lower() for h in header}
    missing = [name for name in required_columns(fmt, options, source_key) if name.strip().lower() not in have]
    if missing:
        raise FileError(path, f"missing required column(s) {', '.join(missing)} (format {fmt.name})", line=1)
