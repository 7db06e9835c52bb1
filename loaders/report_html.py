"""The import report as one standalone HTML page (no script, no external file: opens anywhere)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import jinja2
from markupsafe import Markup

from . import charts

from .report import Report, options_yaml

TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{ kind | capitalize }} report: {{ sources }}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
table { border-collapse: collapse; margin: .5rem 0 1.5rem; font-size: .9rem; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.banner { background: #fff3cd; border: 1px solid #e0c060; padding: .75rem 1rem; font-weight: bold; margin-bottom: 1rem; }
.banner.kept { background: #f8d7da; border-color: #c06060; }
.status { display: inline-block; padding: .1rem .5rem; border-radius: .3rem; background: #eee; }
.status.completed { background: #d4edda; } .status.failed { background: #f8d7da; } .status.cancelled { background: #e2e3e5; }
.status.completed-with-errors { background: #f8d7da; color: #700; font-weight: bold; }
pre.options { margin: 0; font-size: .85rem; }
ul.lines { margin: 0; padding-left: 1rem; font-size: .85rem; }
tr.error td:first-child { color: #a00; font-weight: bold; } tr.warning td:first-child { color: #a60; }
details { margin-bottom: 1.5rem; }
#charts { display: flex; flex-wrap: wrap; gap: 1rem; } figure.chart { margin: 0; }
</style>
</head>
<body>
{% if r.dry_run %}<div class="banner" id="dry-run-banner">Dry run: nothing was stored. This shows what the import
would do to {{ r.warehouse }}, which is unchanged.</div>{% endif %}
{% if r.personal_data_kept %}<div class="banner kept" id="personal-data-kept">Personal data kept in plaintext:
{{ r.personal_data_kept | join(', ') }} set pii: keep, so their e-mails, phones, names and addresses are stored as
delivered in the warehouse (this report shows them masked).</div>{% endif %}
<h1>{{ kind | capitalize }} of {{ sources }}</h1>

<h2>Configuration</h2>
<p>Status: <span class="status {{ r.outcome | replace(' ', '-') }}" id="status">{{ r.outcome }}</span>
 &middot; started {{ r.started_at }}{% if r.finished_at %} &middot; finished {{ r.finished_at }}{% endif %}
 &middot; dbt build {{ 'passed' if r.build_ok else 'failed' if r.build_ok is not none else 'not run' }}</p>
<table id="configuration">
<tr><th>source</th><th>format</th><th>location</th><th>options</th><th>personal data</th></tr>
{% for s in r.configuration.sources %}<tr><td>{{ s.source }}</td><td>{{ s.format }}</td><td>{{ s.location }}</td>
<td>{% if s.options %}<pre class="options">{{ s.options | yaml }}</pre>{% endif %}</td>
<td>{{ s.personal_data or '' }}</td></tr>
{% endfor %}</table>

<h2>Files</h2>
<table id="files">
<tr><th>source</th><th>file</th><th>status</th><th>read</th><th>valid</th><th>rejected</th><th>encoding</th>
<th>delimiter</th><th>header</th><th>file date</th><th>message</th></tr>
{% for f in r.files %}<tr><td>{{ f.source }}</td><td>{{ f.file }}</td><td>{{ f.status }}</td>
{% if f.landed %}<td class="num">{{ f.rows_read }}{% if f['items'] != f.rows_read %} ({{ f['items'] }} items){% endif %}</td>
<td class="num">{{ f.valid }}</td><td class="num">{{ f.rows_rejected + f.rejected_staging }}</td>
{% else %}<td></td><td></td><td></td>{% endif %}
<td>{{ f.encoding or '' }}{% if f.encoding_detected %} (detected){% endif %}</td>
<td>{{ f.delimiter | tojson if f.delimiter else '' }}</td><td>{{ {True: 'yes', False: 'no'}.get(f.header, '') }}</td>
<td>{{ f.file_date or '' }}</td><td>{{ f.message or '' }}</td></tr>
{% endfor %}</table>

{% if r.records %}
<h2>Records</h2>
<p id="records">File items: {{ r.records["items"] }}{% if r.records["items"] != r.records.read %} (in {{ r.records.read }}
rows){% endif %} &middot; valid rows: {{ r.records.valid }} &middot; rejected rows: {{ r.records.rejected }}</p>
<table id="overview">
<tr><th>model</th><th>valid</th><th>{{ 'would be ' if r.dry_run }}added</th><th>{{ 'would be ' if r.dry_run }}updated</th>
<th>unchanged</th><th>{{ 'would be ' if r.dry_run }}removed</th><th>rows after</th></tr>
{% for m in r.overview %}<tr><td>{{ m.model }}</td><td class="num">{{ m.valid | blank }}</td><td class="num">{{ m.added }}</td>
<td class="num">{{ m.updated }}</td><td class="num">{{ m.unchanged | blank }}</td><td class="num">{{ m.removed }}</td>
<td class="num">{{ m.rows_after }}</td></tr>
{% endfor %}</table>
{% if r.overview_left_out %}<p id="overview-left-out">Not compared (no tested unique key to tell a row by):
{{ r.overview_left_out | join(', ') }}.</p>{% endif %}

{% if charts %}<h2>Charts</h2>
<div id="charts">{% for svg in charts %}<figure class="chart">{{ svg }}</figure>{% endfor %}</div>{% endif %}

<h2>Order events</h2>
{% if r.order_events.available and not r.order_events.counts %}<p id="order-events">No order event: this import
brings no new order and no news about a known one.</p>
{% elif r.order_events.available %}
<table id="order-events"><tr><th>event</th><th>count</th></tr>
{% for k, v in r.order_events.counts.items() %}<tr><td>{{ k }}</td><td class="num">{{ v }}</td></tr>{% endfor %}
</table>
{% if r.order_events.sample %}<details><summary>Sample of {{ r.order_events.sample | length }} events</summary>
<table><tr>{% for c in r.order_events.columns %}<th>{{ c }}</th>{% endfor %}</tr>
{% for e in r.order_events.sample %}<tr>{% for c in r.order_events.columns %}<td>{{ e[c] if e[c] is not none else '' }}</td>{% endfor %}</tr>{% endfor %}
</table></details>{% endif %}
{% else %}<p id="order-events">{{ r.order_events.note }}</p>{% endif %}

<h2>Sample</h2>
{% for s in r.samples %}<details open><summary>{{ s.source }}: first and last {{ s.first | length }} records</summary>
<table class="sample"><tr>{% for c in s.columns %}<th>{{ c }}</th>{% endfor %}</tr>
{% for row in s.first %}<tr>{% for v in row %}<td>{{ v if v is not none else '' }}</td>{% endfor %}</tr>{% endfor %}
<tr><td colspan="{{ s.columns | length }}">&hellip;</td></tr>
{% for row in s.last %}<tr>{% for v in row %}<td>{{ v if v is not none else '' }}</td>{% endfor %}</tr>{% endfor %}
</table></details>
{% else %}<p>No record landed.</p>{% endfor %}

<h2>Issues</h2>
<p>{{ errors }} error(s) (records discarded), {{ warnings }} warning(s).</p>
<table id="issues">
<tr><th>level</th><th>source</th><th>column</th><th>problem</th><th>what to do</th><th>first lines</th>
<th>example values</th><th>count</th><th>% of items</th></tr>
{% for i in r.issues %}<tr class="{{ i.level }}" data-code="{{ i.code }}"><td>{{ i.level }}</td><td>{{ i.source }}</td>
<td>{{ i.column }}</td><td>{{ i.problem }}</td><td>{{ i.hint }}</td>
<td>{% if i.first_lines %}<ul class="lines">{% for l in i.first_lines %}<li>{{ l }}</li>{% endfor %}</ul>{% endif %}</td>
<td>{% if i.examples %}<ul class="lines">{% for e in i.examples %}<li>{{ e }}</li>{% endfor %}</ul>{% endif %}</td>
<td class="num">{{ i.count }}</td><td class="num">{{ '%.2f' % i.percent }}</td></tr>
{% else %}<tr><td colspan="9">No issue.</td></tr>{% endfor %}
</table>
{% if r.tests %}<h2>dbt tests</h2>
<p>Tests of the whole tables (this import's rows and earlier ones) that failed or warned.</p>
<table id="tests"><tr><th>level</th><th>model</th><th>test</th><th>column</th><th>rows</th><th>what to do</th></tr>
{% for t in r.tests %}<tr class="{{ t.level }}"><td>{{ t.level }}</td><td>{{ t.model }}</td><td>{{ t.test }}</td>
<td>{{ t.column }}</td><td class="num">{{ t.rows if t.rows is not none else '' }}</td><td>{{ t.hint }}</td></tr>
{% endfor %}</table>{% endif %}
{% else %}
<p id="no-results">No results: the {{ kind }} {{ 'was cancelled' if r.status == 'cancelled' else r.status }} before it finished
({{ r.configuration.files | length }} file(s) planned{% if r.files %}, {{ r.files | length }} reached{% endif %}).
Files landed before it stopped stay landed; the file in progress was rolled back.</p>
{% endif %}
</body>
</html>
"""

_env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
_env.filters["yaml"] = options_yaml
_env.filters["blank"] = lambda value: "–" if value is None else value


def report_charts(report: Report) -> list[Markup]:
    """The report's SVG charts (leather writes text through ElementTree: escaped)."""
    drawn = [charts.rows_per_file_date(report.files), charts.rejects_by_reason(report.issues)]
    drawn += [charts.deliveries_per_day(d["source"], [(date.fromisoformat(day), n) for day, n in d["days"]],
                                        d["cadence"]) for d in report.deliveries]
    return [Markup(svg) for svg in drawn if svg]


def render(report: Report) -> str:
    return _env.from_string(TEMPLATE).render(
        r=report, kind="dry run" if report.dry_run else "import", charts=report_charts(report),
        sources=", ".join(report.imported_sources),
        errors=len(report.errors), warnings=len(report.warnings))


def write_html(report: Report, path: Path) -> None:
    path.write_text(render(report), encoding="utf-8")
