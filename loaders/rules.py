"""File-level rules of a format: checks on a parsed file that fail the file as a whole.

Row-level rules (a value that does not cast, a missing required value) belong
to staging, which flags the row. A file-level rule is one whose breach makes
the whole delivery wrong: the conversion vendor (spec 002) requires every row
of a daily file to carry the date in the file's name, so one row from another
day means the file mixes reports, and none of it may be used.
"""

from __future__ import annotations

from datetime import date

from .errors import FileError
from .formats import Format

_SHOWN = 20


def check_rows_match_file_date(con, path: str, fmt: Format, columns: list[str], file_date: date | None) -> None:
    """Fail the file when a row is dated another day than its file name (format option rows_match_file_date).

    Only well-formed YYYY-MM-DD values are compared; malformed ones are the
    row's problem and staging flags them.
    """
    column = fmt.column(fmt.rows_match_file_date) if fmt.rows_match_file_date else None
    if column is None or file_date is None or not column.source:
        return
    lowered = [c.lower() for c in columns]
    if column.source.lower() not in lowered:
        return
    field = f"c{lowered.index(column.source.lower())}"
    mismatched = con.execute(
        rf"""select l.line_number, trim(p.{field}) as value
             from _parsed as p inner join _lines as l on p.ordinality = l.ordinality
             where regexp_full_match(trim(p.{field}), '\d{{4}}-\d{{2}}-\d{{2}}')
               and try_cast(trim(p.{field}) as date) <> $file_date
             order by l.line_number""",
        {"file_date": file_date},
    ).fetchall()
    if not mismatched:
        return
    shown = ", ".join(f"line {line} ({value})" for line, value in mismatched[:_SHOWN])
    more = f" and {len(mismatched) - _SHOWN} more" if len(mismatched) > _SHOWN else ""
    raise FileError(
        path,
        f"every row must be dated {file_date.isoformat()}, the date in the file name, but "
        f"{len(mismatched)} {'row is' if len(mismatched) == 1 else 'rows are'} not: {shown}{more}; "
        "nothing from this file was landed",
    )
