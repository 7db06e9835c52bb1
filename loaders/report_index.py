"""reports/index.html: every import report of a folder, newest first, and each source's rows and
rejects over its imports (one standalone page, no script, charts inline as SVG).

Read from the reports' JSON files only, never from the warehouse: it is
written at the end of every dry run and import, and a run holding the
warehouse does not stand in its way.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import jinja2
from markupsafe import Markup

from . import charts

INDEX = "index.html"
KINDS = ("dry-run", "import")

TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Import reports</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
table { border-collapse: collapse; margin: .5rem 0 1.5rem; font-size: .9rem; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.status { display: inline-block; padding: .1rem .5rem; border-radius: .3rem; background: #eee; }
.status.completed { background: #d4edda; } .status.failed, .status.completed-with-errors { background: #f8d7da; }
.status.cancelled { background: #e2e3e5; }
#charts { display: flex; flex-wrap: wrap; gap: 1rem; } figure.chart { margin: 0; }
</style>
</head>
<body>
<h1>Import reports</h1>
<p>{{ runs | length }} run(s) in {{ folder }}, newest first. Charts count imports only (a dry run stores nothing).</p>
<table id="runs">
<tr><th>started</th><th>kind</th><th>sources</th><th>status</th><th>files</th><th>items</th><th>valid rows</th>
<th>rejected rows</th><th>errors</th><th>warnings</th><th>report</th></tr>
{% for run in runs %}<tr><td>{{ run.started_at }}</td><td>{{ run.kind }}</td><td>{{ run.sources | join(', ') }}</td>
<td><span class="status {{ run.outcome | replace(' ', '-') }}">{{ run.outcome }}</span></td>
<td class="num">{{ run.files }}</td><td class="num">{{ run['items'] }}</td><td class="num">{{ run.valid }}</td>
<td class="num">{{ run.rejected }}</td><td class="num">{{ run.errors }}</td><td class="num">{{ run.warnings }}</td>
<td>{% if run.html %}<a href="{{ run.html }}">{{ run.html }}</a>{% else %}{{ run.json }}{% endif %}</td></tr>
{% else %}<tr><td colspan="11">No report yet.</td></tr>{% endfor %}
</table>
{% if charts %}<h2>Rows and rejects over time</h2>
<div id="charts">{% for svg in charts %}<figure class="chart">{{ svg }}</figure>{% endfor %}</div>{% endif %}
</body>
</html>
"""

_env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)


def runs(folder: Path) -> list[dict]:
    """One summary per report JSON of `folder`, newest first; a file that is not a report is skipped."""
    found = []
    for path in folder.glob("*.json"):
        if not path.stem.endswith(KINDS):
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            found.append(_summary(path, data))
        except (OSError, ValueError, KeyError, TypeError):
            continue    # being written, or not ours
    return sorted(found, key=lambda r: (r["started_at"], r["json"]), reverse=True)


def _summary(path: Path, data: dict) -> dict:
    files = data.get("files") or []
    records = data.get("records") or {}
    html = path.with_suffix(".html")
    sources = list(dict.fromkeys(f["source"] for f in (data["configuration"].get("files") or []))) or \
        [s["source"] for s in data["configuration"]["sources"]]
    per_source: dict[str, list[int]] = {}
    for f in files:
        if f.get("landed"):
            counts = per_source.setdefault(f["source"], [0, 0])
            counts[0] += f["rows_read"]
            counts[1] += f["rows_rejected"] + f.get("rejected_staging", 0)
    return {
        "started_at": data["started_at"], "kind": data.get("kind", ""), "sources": sources,
        "outcome": data.get("outcome") or data.get("status", ""), "files": len(files),
        "items": records.get("items", records.get("read", 0)), "valid": records.get("valid", 0),
        "rejected": records.get("rejected", 0), "errors": data.get("error_count", 0),
        "warnings": data.get("warning_count", 0), "json": path.name, "html": html.name if html.exists() else None,
        "per_source": per_source, "dry_run": bool(data.get("dry_run")),
    }


def render(folder: Path) -> str:
    found = runs(folder)
    history: dict[str, list[tuple[str, int, int]]] = {}
    for run in reversed(found):     # oldest first
        if run["dry_run"]:
            continue
        for source, (rows, rejected) in run["per_source"].items():
            history.setdefault(source, []).append((run["started_at"][:16].replace("T", " "), rows, rejected))
    drawn = [charts.history(source, points[-charts.HISTORY_RUNS:]) for source, points in sorted(history.items())]
    return _env.from_string(TEMPLATE).render(runs=found, folder=str(folder),
                                             charts=[Markup(svg) for svg in drawn if svg])


def write_index(folder: Path) -> Path:
    path = folder / INDEX
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, prefix=".index-", suffix=".tmp",
                                     delete=False) as handle:
        handle.write(render(folder))
    Path(handle.name).replace(path)     # a reader never sees half a page; two runs never mix theirs
    return path
