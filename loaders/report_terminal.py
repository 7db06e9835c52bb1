"""The import report in the terminal, readable at 80 columns: the dry-run banner first, narrow tables
for numbers, and issues as short paragraphs (a table of sentences wraps a word per line)."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from .report import Report, options_yaml
from .shown import markup, plain
from .status import shorten_left, short_name

SAMPLE_COLUMNS = 6   # the terminal shows the first columns; the HTML and JSON reports have them all
COLOURS = {"completed": "green", "completed with errors": "red", "failed": "red", "cancelled": "yellow"}


def show(report: Report, console: Console) -> None:
    if report.dry_run:
        console.print(Panel(f"DRY RUN: nothing was stored; {markup(report.warehouse)} is unchanged.",
                            style="bold yellow"))
    if report.personal_data_kept:
        console.print(Panel(markup(f"PERSONAL DATA KEPT IN PLAINTEXT: {', '.join(report.personal_data_kept)} "
                                   "set pii: keep; their e-mails, phones, names and addresses are stored as "
                                   "delivered (shown masked here)."), style="bold red"))
    colour = COLOURS.get(report.outcome, "white")
    console.print(f"status: [{colour}]{report.outcome}[/{colour}]  (dbt build "
                  f"{'passed' if report.build_ok else 'failed'})")
    _configuration(report, console)
    _files(report, console)
    _overview(report, console)
    _samples(report, console)
    _issues(report, console)


def _configuration(report: Report, console: Console) -> None:
    console.print("[bold]Configuration[/bold]")
    for s in report.configuration["sources"]:
        console.print(f"  {markup(s['source'])}: {markup(s['format'])} at {markup(s['location'])}")
        for line in options_yaml(s["options"]).splitlines():
            console.print(f"    {markup(line)}")
        if s.get("personal_data"):
            console.print(f"    personal data: {markup(s['personal_data'])}")


def _files(report: Report, console: Console) -> None:
    several = len({f["source"] for f in report.files}) > 1
    odd = any(f["encoding"] not in (None, "utf-8", "utf-8-sig") or f["encoding_detected"] for f in report.files)
    table = Table(title="Files", box=box.SIMPLE_HEAD, title_justify="left")
    columns = [*(["source"] if several else []), "file", "status", "read", "valid", "rejected", "file date",
               *(["encoding"] if odd else [])]
    for col in columns:
        table.add_column(col, justify="right" if col in {"read", "valid", "rejected"} else "left",
                         no_wrap=col != "file", overflow="fold")
    width = max(console.width - 60 - (24 if several else 0), 16)
    for f in report.files:
        cells = [*([f["source"]] if several else []), shorten_left(short_name(f["file"]), width), f["status"],
                 *((str(f["rows_read"]), str(f["valid"]), str(f["rows_rejected"] + f["rejected_staging"]))
                   if f["landed"] else ("", "", "")), f["file_date"] or ""]
        if odd:
            cells.append((f["encoding"] or "") + (" (detected)" if f["encoding_detected"] else ""))
        _row(table, *cells)
    console.print(table)


def _overview(report: Report, console: Console) -> None:
    records = report.records
    items = f"{records['items']} items in {records['read']} rows" if records["items"] != records["read"] \
        else f"{records['read']} items"
    console.print(f"[bold]Records[/bold]: {items}, {records['valid']} valid rows, {records['rejected']} rejected rows")
    would = "would be " if report.dry_run else ""
    table = Table(title=f"Marts ({would}added / updated / removed by row key)", box=box.SIMPLE_HEAD,
                  title_justify="left")
    for col in ("model", "valid", "added", "updated", "unchanged", "removed", "after"):
        table.add_column(col, justify="left" if col == "model" else "right", no_wrap=True,
                         **({"max_width": 22, "overflow": "ellipsis"} if col == "model" else {}))
    for m in report.overview:
        _row(table, m["model"], *("–" if m[k] is None else str(m[k])
                                  for k in ("valid", "added", "updated", "unchanged", "removed", "rows_after")))
    console.print(table)
    if report.overview_left_out:
        console.print("not compared (no tested unique key): " + ", ".join(report.overview_left_out), markup=False)
    events = report.order_events
    if events["available"]:
        console.print("order events: " + plain(", ".join(f"{k} {v}" for k, v in events["counts"].items()) or "none"),
                      markup=False)
    else:
        console.print(f"order events: {plain(events['note'])}", markup=False)


def _samples(report: Report, console: Console) -> None:
    for sample in report.samples:
        table = Table(title=f"{markup(sample['source'])}: first and last {len(sample['first'])} records",
                      box=box.SIMPLE_HEAD, title_justify="left")
        shown = sample["columns"][:SAMPLE_COLUMNS]
        for col in shown:
            table.add_column(markup(col.removeprefix("_source_").removeprefix("_")), overflow="ellipsis",
                             no_wrap=True)
        for row in [*sample["first"], None, *sample["last"]]:
            if row is None:
                table.add_row(*("…" for _ in shown))
                continue
            # the file's name, not its folder: the Files table above has the rest
            table.add_row(*(_cell(short_name(str(v)) if i == 0 else v) for i, v in enumerate(row[:SAMPLE_COLUMNS])))
        console.print(table)


def _issues(report: Report, console: Console) -> None:
    console.print(f"[bold]Issues[/bold]: {len(report.errors)} error(s) (records discarded), "
                  f"{len(report.warnings)} warning(s)")
    for i in report.issues:
        style = "red" if i.level == "error" else "yellow"
        where = i.problem if i.column.startswith("(") else f"{i.column}: {i.problem}"
        console.print(f"[{style}]{i.level}[/{style}] {markup(i.source)} {markup(where)}: {i.count} "
                      f"({i.percent:.2f} % of items)")
        if i.first_lines:
            found = f"; found: {', '.join(i.examples)}" if i.examples else ""
            console.print(f"    lines {markup(', '.join(i.first_lines))}{markup(found)}")
        console.print(f"    what to do: {markup(i.hint)}")
    if report.tests:
        console.print("[bold]dbt tests[/bold] that failed or warned (whole tables, not only this import)")
        for t in report.tests:
            style = "red" if t["level"] == "error" else "yellow"
            column = f" ({t['column']})" if t["column"] else ""
            rows = f": {t['rows']} row(s)" if t["rows"] is not None else ""
            console.print(f"[{style}]{t['level']}[/{style}] {markup(t['model'])} {markup(t['test'])}"
                          f"{markup(column)}{rows}")
            console.print(f"    {markup(t['hint'])}")


def _cell(value) -> str:
    text = plain(value)
    return markup(text if len(text) <= 40 else text[:39] + "…")


def _row(table: Table, *cells: str) -> None:
    """Values come from delivered files and YAML: never read them as rich markup or terminal controls."""
    table.add_row(*(markup(c) for c in cells))
