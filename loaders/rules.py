"""File-level rules of a format: checks on a parsed file that fail the file as a whole.

Row-level rules (a value that does not cast, a missing required value) belong
to staging, which flags the row. A file-level rule is one whose breach makes
the whole delivery wrong: the conversion vendor (spec 002) requires every row
of a daily file to carry the date in the file's name, so one row from another
day means the file mixes reports, and none of it may be used.
"""

from __future__ import annotations

from datetime import date
from typing import Callable

from .errors import FileError
from .formats import Format
from .sql import ident

_SHOWN = 20


def check_rows_match_file_date(con, raw: str, file_name: str, path: str, fmt: Format, columns: list[str],
                               file_date: date | None, number_lines: Callable[[], object] = lambda: None) -> None:
    """Fail the file when a row is dated another day than its file name (format option rows_match_file_date).

    Runs on the file's rows just inserted into `raw`, inside the landing
    transaction, so a breach rolls the whole file back. Only well-formed
    YYYY-MM-DD values are compared; malformed ones are the row's problem and
    staging flags them. Rows may not carry their line numbers yet: on a
    breach, `number_lines` gives them theirs before the lines are named.
    """
    column = fmt.column(fmt.rows_match_file_date) if fmt.rows_match_file_date else None
    if column is None or file_date is None or not column.source:
        return
    matches = [c for c in columns if c.lower() == column.source.lower()]
    if not matches:
        return
    field = ident(matches[0])
    query = rf"""select _line_number, trim({field}) as value
                 from {raw}
                 where _source_file = $file
                   and regexp_full_match(trim({field}), '\d{{4}}-\d{{2}}-\d{{2}}')
                   and try_cast(trim({field}) as date) <> $file_date
                 order by _line_number"""
    params = {"file": file_name, "file_date": file_date}
    if not con.execute(query, params).fetchone():
        return
    number_lines()
    mismatched = con.execute(query, params).fetchall()
    shown = ", ".join(f"line {line} ({value})" for line, value in mismatched[:_SHOWN])
    more = f" and {len(mismatched) - _SHOWN} more" if len(mismatched) > _SHOWN else ""
    raise FileError(
        path,
        f"every row must be dated {file_date.isoformat()}, the date in the file name, but "
        f"{len(mismatched)} {'row is' if len(mismatched) == 1 else 'rows are'} not: {shown}{more}; "
        "nothing from this file was landed",
    )
