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
        names.append(name)
    return names


def check_required_columns(path: str, fmt: Format, header: list[str] | None, options: dict,
                           source_key: str = "") -> None:
    if header is None or fmt.file_columns:
        return  # positional formats: a header line, when there is one, does not name the fields
    have = {h.strip().lower() for h in header}
    missing = [name for name in required_columns(fmt, options, source_key) if name.strip().lower() not in have]
    if missing:
        raise FileError(path, f"missing required column(s) {', '.join(missing)} (format {fmt.name})", line=1)
