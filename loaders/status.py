"""What `status` shows: the file manifest per source (default) or per file, filtered, sized to the terminal.

Rows come from warehouse.manifest_rows; this module filters, sums per source
and lays the tables out so that they read in 80 columns: long file names are
shortened from the left (their date, at the end, stays visible), messages go
below the table rather than in a column.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from rich import box
from rich.table import Table

from .discovery import NameStamp
from .pii import mask_text
from .shown import markup, plain

STATUSES = ("landed", "failed", "duplicate", "cancelled")
_COLOURS = {"landed": "green", "failed": "red", "duplicate": "yellow", "cancelled": "yellow"}


@dataclass(frozen=True)
class Filters:
    sources: tuple[str, ...] = ()       # retailer or retailer.dataset
    statuses: tuple[str, ...] = ()
    since: date | None = None           # file date (or landing day) on or after
    limit: int | None = None            # the newest N files


def select(rows: list[dict], filters: Filters) -> list[dict]:
    """The files the filters keep, newest first."""
    kept = [r for r in rows
            if (not filters.sources or r["source"] in filters.sources or r["retailer"] in filters.sources)
            and (not filters.statuses or r["status"] in filters.statuses)
            and (filters.since is None or _day(r) is not None and _day(r) >= filters.since)]
    kept.sort(key=lambda r: (_day(r) or date.min, r.get("file_hour") or -1, r["finished_at"] or datetime.min,
                             r["file_name"]), reverse=True)
    return kept[:filters.limit] if filters.limit else kept


def _day(row: dict) -> date | None:
    """The day a file is about: its file date, else the day it was landed (or tried)."""
    if row["file_date"]:
        return row["file_date"]
    return row["finished_at"].date() if row["finished_at"] else None


def _when(row: dict) -> str:
    """The day shown for a file: its name's date (and hour, for hourly deliveries), else the day it landed."""
    if row["file_date"]:
        return str(NameStamp(row["file_date"], row.get("file_hour")))
    return str(_day(row) or "")


def per_source(rows: list[dict]) -> list[dict]:
    """One line per source: files, rows landed and rejected, last delivery, files failing now."""
    sources: dict[str, dict] = {}
    for r in rows:
        s = sources.setdefault(r["source"], {"source": r["source"], "files": 0, "rows": 0, "rejected": 0,
                                             "last_delivery": None, "failed": 0, "duplicate": 0})
        s["files"] += 1
        s["rows"] += r["rows_landed"] or 0
        s["rejected"] += r["rows_rejected"] or 0
        s["failed"] += r["status"] == "failed"
        s["duplicate"] += r["status"] == "duplicate"
        # the newest data delivered: a file's date; a file without one (failed before its name was
        # read, or a format with no date in its names) counts when it landed
        day = r["file_date"] or (_day(r) if r["status"] == "landed" else None)
        if day and (s["last_delivery"] is None or day > s["last_delivery"]):
            s["last_delivery"] = day
    return sorted(sources.values(), key=lambda s: s["source"])


def summary_table(summary: list[dict], title: str) -> Table:
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left")
    for col in ("source", "files", "rows", "rejected", "last delivery", "failed"):
        table.add_column(col, justify="left" if col in {"source", "last delivery"} else "right",
                         no_wrap=col != "source")
    for s in summary:
        failed = f"[red]{s['failed']}[/red]" if s["failed"] else "0"
        table.add_row(markup(s["source"]), str(s["files"]), f"{s['rows']:,}", f"{s['rejected']:,}",
                      str(s["last_delivery"] or ""), failed)
    return table


def shorten_left(name: str, width: int) -> str:
    """`…` and the end of `name`: a delivered file's date and extension are at its end."""
    return name if len(name) <= width else "…" + name[-(width - 1):]


def files_tables(rows: list[dict], width: int) -> tuple[list[Table], list[str]]:
    """The file list in `width` columns, one table per source (its name as the title, so the file
    name gets the room), and the notes to print below (one per file with a message)."""
    # date 10 (14 with an hour), status 9, rows 9, rejected 8, note 4, and 2 between each two of the six columns
    date_width = 14 if any(r.get("file_hour") is not None for r in rows) else 10
    name_width = max(width - (date_width + 9 + 9 + 8 + 4) - 2 * 5, 16)
    tables, notes, by_source = [], [], {}
    for r in rows:
        by_source.setdefault(r["source"], []).append(r)
    for source, files in by_source.items():
        table = Table(title=markup(source), box=box.SIMPLE_HEAD, title_justify="left", title_style="bold",
                      show_edge=False, pad_edge=False, collapse_padding=True)
        table.add_column("file", no_wrap=True, width=name_width)
        table.add_column("date", no_wrap=True, width=date_width)
        table.add_column("status", no_wrap=True, width=9)
        table.add_column("rows", justify="right", no_wrap=True, width=9)
        table.add_column("rejected", justify="right", no_wrap=True, width=8)
        table.add_column("note", no_wrap=True, width=4)
        for r in files:
            colour = _COLOURS.get(r["status"], "white")
            mark = ""
            said = [f"{r['status']}; previous version kept" if r["previous_version_kept"] else "",
                    f"decoded from {r['encoding']}" if r["encoding"] not in (None, "utf-8", "utf-8-sig") else "",
                    mask_text(r["message"] or "")]
            if any(said):
                mark = f"[{len(notes) + 1}]"
                notes.append(f"{mark} {shorten_left(short_name(r['file_name']), 40)}: "
                             + "; ".join(x for x in said if x))
            table.add_row(markup(shorten_left(plain(short_name(r["file_name"])), name_width)), _when(r),
                          f"[{colour}]{markup(r['status'])}[/{colour}]",
                          *(f"{v:,}" if v is not None else "" for v in (r["rows_landed"], r["rows_rejected"])),
                          markup(mark))
        tables.append(table)
    return tables, notes


def short_name(name: str) -> str:
    """A file's name without its folder; an archive member keeps its archive: `x.zip/member.csv`."""
    parts = name.split("/")
    for i, part in enumerate(parts[:-1]):
        if part.lower().endswith(".zip"):
            return "/".join(parts[i:])
    return parts[-1]


def as_json(rows: list[dict]) -> list[dict]:
    return [{k: (mask_text(v) if k == "message" and v else v.isoformat() if isinstance(v, (date, datetime)) else v)
             for k, v in r.items()} for r in rows]
