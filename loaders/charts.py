"""Inline SVG charts for the import report and the report index (leather: plain SVG, no script).

The pages stay one file each that opens anywhere: each chart is an <svg>
element written into the page. Functions take plain data and return the
SVG text, or None when there is nothing to draw.
"""

from __future__ import annotations

from datetime import date, timedelta

import leather

WIDTH, HEIGHT = 640, 240
GREY, RED, PALE_GREEN, BLUE = "#9aa5b1", "#c0392b", "#bfe3cf", "#2f6db5"
PER_DAY = {"daily": 1, "hourly": 24}     # files a day a cadence means (meta.loader.cadence)
LABEL = 48
HISTORY_RUNS = 30     # the index's charts show each source's last imports


def rows_per_file_date(files: list[dict]) -> str | None:
    """Rows read per file date, the rejected ones over them in red (a file without a date: its name's day
    is unknown, so it is left out)."""
    read: dict[str, int] = {}
    rejected: dict[str, int] = {}
    for f in files:
        if not f.get("landed") or not f.get("file_date"):
            continue
        read[f["file_date"]] = read.get(f["file_date"], 0) + f["rows_read"]
        rejected[f["file_date"]] = rejected.get(f["file_date"], 0) + f["rows_rejected"] + f.get("rejected_staging", 0)
    if not read:
        return None
    chart = leather.Chart("Rows read (grey) and rejected (red) per file date")
    days = sorted(read)
    chart.add_columns([(d, read[d]) for d in days], name="read", fill_color=GREY)
    chart.add_columns([(d, rejected[d]) for d in days], name="rejected", fill_color=RED)
    return _svg(chart)


def rejects_by_reason(issues: list) -> str | None:
    """Records discarded per problem (errors only), largest first."""
    counts: dict[str, int] = {}
    for issue in issues:
        if issue.level == "error":
            label = _clip(f"{issue.column}: {issue.problem}" if not issue.column.startswith("(row") else issue.problem)
            counts[label] = counts.get(label, 0) + issue.count
    if not counts:
        return None
    chart = leather.Chart("Records rejected by reason")
    ranked = sorted(counts.items(), key=lambda item: item[1])[-10:]
    chart.add_bars([(n, label) for label, n in ranked], fill_color=RED)
    return _svg(chart, height=90 + 40 * len(ranked))


def deliveries_per_day(source: str, days: list[tuple[date, int]], cadence: str | None) -> str | None:
    """Files delivered per day (blue) over what the cadence expects (light green): a day short of its
    files shows green above its blue."""
    if not days:
        return None
    counts = dict(days)
    first, last = min(counts), max(counts)
    span = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    expected = PER_DAY.get(cadence or "daily", 1)
    chart = leather.Chart(f"{source}: files per day (blue), {expected} expected ({cadence or 'daily'}, green)")
    chart.add_columns([(d.isoformat(), expected) for d in span], name="expected", fill_color=PALE_GREEN)
    chart.add_columns([(d.isoformat(), counts.get(d, 0)) for d in span], name="delivered", fill_color=BLUE)
    chart.add_y_scale(0, max(max(counts.values()), expected))
    return _svg(chart)


def history(source: str, runs: list[tuple[str, int, int]]) -> str | None:
    """Rows read (grey) and rejected (red) per run over time, for one source; runs as (label, rows,
    rejected), oldest first."""
    if not runs:
        return None
    chart = leather.Chart(f"{source}: rows read (grey) and rejected (red) per run")
    chart.add_columns([(label, rows) for label, rows, _ in runs], name="rows", fill_color=GREY)
    chart.add_columns([(label, rejected) for label, _, rejected in runs], name="rejected", fill_color=RED)
    return _svg(chart)


def _clip(text: str) -> str:
    return text if len(text) <= LABEL else text[:LABEL - 1] + "…"


def _svg(chart, height: int = HEIGHT) -> str:
    return chart.to_svg(width=WIDTH, height=height)
