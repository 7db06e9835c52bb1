"""The import report in the terminal: rich tables, the dry-run banner first."""

from __future__ import annotations

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from .report import Report
from .shown import markup, plain

SAMPLE_COLUMNS = 8   # the terminal shows the first columns; the HTML and JSON reports have them all


def show(report: Report, console: Console) -> None:
    if report.dry_run:
        console.print(Panel(f"DRY RUN: nothing was stored; {markup(report.warehouse)} is unchanged.",
                            style="bold yellow"))
    if report.personal_data_kept:
        console.print(Panel(markup(f"PERSONAL DATA KEPT IN PLAINTEXT: {', '.join(report.personal_data_kept)} "
                                   "set pii: keep; their e-mails, phones, names and addresses are stored as "
                                   "delivered (shown masked here)."), style="bold red"))
    colour = {"completed": "green", "failed": "red", "cancelled": "yellow"}.get(report.status, "white")
    console.print(f"status: [{colour}]{report.status}[/{colour}]  (dbt build "
                  f"{'passed' if report.build_ok else 'failed'})")

    config = Table(title="Configuration")
    for col in ("source", "format", "location", "options", "personal data"):
        config.add_column(col)
    for s in report.configuration["sources"]:
        _row(config, s["source"], s["format"], s["location"], ", ".join(f"{k}={v}" for k, v in s["options"].items()),
             s.get("personal_data", ""))
    console.print(config)

    files = Table(title="Files")
    for col in ("source", "file", "status", "read", "valid", "rejected", "encoding", "delimiter", "header", "file date"):
        files.add_column(col, justify="right" if col in {"read", "valid", "rejected"} else "left")
    for f in report.files:
        _row(files, f["source"], f["file"].rsplit("/", 1)[-1], f["status"], str(f["rows_read"]), str(f["valid"]),
                      str(f["rows_rejected"] + f["rejected_staging"]),
                      (f["encoding"] or "") + (" (detected)" if f["encoding_detected"] else ""),
                      repr(f["delimiter"]) if f["delimiter"] else "",
                      {True: "yes", False: "no"}.get(f["header"], ""), f["file_date"] or "")
    console.print(files)

    records = report.records
    overview = Table(title=f"Records: {records['read']} read, {records['valid']} valid, "
                           f"{records['rejected']} rejected")
    for col in ("model", "valid", "added", "updated", "unchanged", "rows after"):
        overview.add_column(col, justify="left" if col == "model" else "right")
    for m in report.overview:
        _row(overview, m["model"], *(str(m[k]) for k in ("valid", "added", "updated", "unchanged", "rows_after")))
    console.print(overview)

    events = report.order_events
    if events["available"]:
        console.print("order events: " + plain(", ".join(f"{k} {v}" for k, v in events["counts"].items()) or "none"),
                      markup=False)
    else:
        console.print(f"order events: {plain(events['note'])}", markup=False)

    for sample in report.samples:
        table = Table(title=f"{markup(sample['source'])}: first and last {len(sample['first'])} records")
        shown = sample["columns"][:SAMPLE_COLUMNS]
        for col in shown:
            table.add_column(markup(col.removeprefix("_source_")))
        for row in [*sample["first"], None, *sample["last"]]:
            if row is None:
                table.add_row(*("…" for _ in shown))
                continue
            # the file's name, not its folder: the Files table above has the rest
            table.add_row(*(_cell(str(v).rsplit("/", 1)[-1] if i == 0 else v) for i, v in enumerate(row[:SAMPLE_COLUMNS])))
        console.print(table)

    issues = Table(title=f"Issues: {len(report.errors)} error(s) (records discarded), "
                         f"{len(report.warnings)} warning(s)")
    for col in ("level", "source", "column", "problem", "hint", "count", "% of items"):
        issues.add_column(col, justify="right" if col in {"count", "% of items"} else "left")
    for i in report.issues:
        style = "red" if i.level == "error" else "yellow"
        issues.add_row(f"[{style}]{i.level}[/{style}]", *(markup(c) for c in (
            i.source, i.column, i.problem, i.hint, str(i.count), f"{i.percent:.2f}")))
    console.print(issues)


def _cell(value) -> str:
    text = plain(value)
    return markup(text if len(text) <= 40 else text[:39] + "…")


def _row(table: Table, *cells: str) -> None:
    """Values come from delivered files and YAML: never read them as rich markup or terminal controls."""
    table.add_row(*(markup(c) for c in cells))
