"""Dry run and the import report, through the real CLI and dbt in a copy of the project.

A delivery with known problems is dry-run over a warehouse that already
holds the day before: the warehouse file must be byte-for-byte unchanged,
the report must list each problem with its count and share, and the
"clone and import" that follows must give the same counts. Expectations
come from the rows written here, not from the warehouse.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import ProjectCopy

pytestmark = pytest.mark.dbt

HEADER = ["event_id", "event_time", "event_type", "visitor_id", "crm_id", "session_id", "url", "referrer",
          "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "campaign_id", "platform",
          "device_type", "user_agent"]


def _row(event_id: str, when: str, **values: str) -> list[str]:
    row = {"event_id": event_id, "event_time": when, "event_type": "page_view", "visitor_id": f"v-{event_id}",
           "session_id": "s1", "url": f"https://shop.acme.example/{event_id}", "platform": "web",
           "device_type": "desktop", **values}
    return [row.get(column, "") for column in HEADER]


DAY1 = [_row(f"e{i}", "2024-06-01T10:00:00+0000") for i in range(1, 5)]
DAY2 = [
    DAY1[0],                                                     # e1 again, identical: unchanged
    _row("e2", "2024-06-01T10:00:00+0000", device_type="mobile"),  # e2 changed: updated
    *[_row(f"n{i}", "2024-06-02T09:00:00+0000") for i in range(1, 6)],   # five new: added
    _row("bad-time", "yesterday-ish"),                           # staging: not a valid timestamp
    _row("no-url", "2024-06-02T09:00:00+0000", url=""),              # staging: required value missing
    _row("no-visitor", "2024-06-02T09:00:00+0000", visitor_id=""),     # staging: required value missing
]
SHORT_LINE = "short,line,only"                                   # the loader: wrong number of fields


def _write(path: Path, rows: list[list[str]], extra_line: str | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
        if extra_line:
            handle.write(extra_line + "\n")
    return path


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _report(folder: Path, kind: str) -> tuple[dict, Path]:
    [found] = sorted(folder.glob(f"*-{kind}.json"))
    return json.loads(found.read_text(encoding="utf-8")), found


def _issues(report: dict) -> dict[tuple[str, str], tuple[int, float]]:
    return {(i["column"], i["problem"]): (i["count"], i["percent"]) for i in report["issues"] if i["level"] == "error"}


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """Day 1 imported for real, then day 2 (with problems) dry-run, then cloned and imported."""
    project = ProjectCopy(tmp_path_factory.mktemp("dryrun") / "project")
    visits = project.data / "acme" / "visits"
    _write(visits / "acme_visits_20240601.csv", DAY1)
    first = project.cli("import", "acme.visits", "--report-dir", str(project.root / "day1"))
    assert first.code == 0, first.err
    day2 = _write(visits / "acme_visits_20240602.csv", DAY2, SHORT_LINE)

    before = _sha(project.warehouse)
    dry = project.cli("dry-run", "acme.visits", "--file", str(day2), "--report-dir", str(project.root / "dry"))
    after = _sha(project.warehouse)
    dry_report, dry_path = _report(project.root / "dry", "dry-run")
    clone = project.cli("import", "--from-dry-run", str(dry_path), "--report-dir", str(project.root / "real"))
    real_report, _ = _report(project.root / "real", "import")
    return {"project": project, "dry": dry, "before": before, "after": after, "dry_report": dry_report,
            "dry_path": dry_path, "clone": clone, "real_report": real_report, "day2": day2}


def test_dry_run_leaves_the_warehouse_byte_for_byte_unchanged(imported):
    assert imported["before"] == imported["after"]
    report = imported["dry_report"]
    assert report["kind"] == "dry run" and report["dry_run"] is True
    assert report["warehouse_checksum_before"] == report["warehouse_checksum_after"]
    # Nothing of day 2 reached the real warehouse during the dry run: it was all imported by the clone.
    assert imported["real_report"]["files"][0]["status"] == "landed"


def test_dry_run_lists_each_problem_with_count_and_share(imported):
    report, dry = imported["dry_report"], imported["dry"]
    assert dry.code == 1, dry.err          # records would be discarded: an error exit
    assert "DRY RUN" in dry.out
    read = len(DAY2) + 1                   # every data line, the short one included
    [entry] = report["files"]
    assert entry["file"].endswith("acme_visits_20240602.csv")
    assert (entry["rows_read"], entry["rows_rejected"], entry["rejected_staging"], entry["valid"]) == (read, 1, 3, 7)
    assert entry["encoding"] == "utf-8" and entry["delimiter"] == "," and entry["header"] is True
    assert entry["file_date"] == "2024-06-02"
    issues = _issues(report)
    share = round(100 / read, 2)
    assert issues[("event_time", "not a valid timestamp")] == (1, share)
    assert issues[("url", "required value missing")] == (1, share)
    assert issues[("visitor_id", "required value missing")] == (1, share)
    # The short line: wrong as a whole, not filed under the column where its fields ran out.
    assert issues[("(row)", "wrong number of fields")] == (1, share)
    assert len(issues) == 4, issues
    by_problem = {i["problem"]: i for i in report["issues"]}
    short = by_problem["wrong number of fields"]
    assert short["code"] == "MISSING COLUMNS"
    assert short["first_lines"] == [f"acme_visits_20240602.csv:{len(DAY2) + 2}"]
    assert "expected 17, found 3" in short["examples"][0] and "short,line,only" in short["examples"][0]
    bad_time = by_problem["not a valid timestamp"]
    assert (bad_time["code"], bad_time["first_lines"], bad_time["examples"]) == (
        "invalid_value", ["acme_visits_20240602.csv:9"], ["yesterday-ish"])
    missing = [i for i in report["issues"] if i["problem"] == "required value missing"]
    assert {tuple(i["examples"]) for i in missing} == {("(empty)",)}
    assert all("Got " not in i["hint"] and i["hint"] for i in report["issues"])
    # the dry run found errors: its badge says so, as its exit code does
    assert report["status"] == "completed" and report["outcome"] == "completed with errors"
    assert report["records"] == {"read": read, "items": read, "valid": 7, "rejected": 4}   # one row, one item
    [views] = [m for m in report["overview"] if m["model"] == "fct_page_views"]
    assert (views["added"], views["updated"], views["unchanged"], views["removed"]) == (5, 1, 1, 0)
    assert views["key"] == ["page_view_id"]
    assert views["rows_after"] == 4 + 5
    [sample] = report["samples"]
    first_ids = [row[sample["columns"].index("event_id")] for row in sample["first"]]
    last_ids = [row[sample["columns"].index("event_id")] for row in sample["last"]]
    assert first_ids == ["e1", "e2", "n1", "n2", "n3"]
    assert last_ids == ["n4", "n5", "bad-time", "no-url", "no-visitor"]   # the short line did not land
    assert report["configuration"]["files"][0]["version"] == "sha256:" + _sha(imported["day2"])


def test_clone_and_import_gives_the_same_counts(imported):
    dry, real = imported["dry_report"], imported["real_report"]
    assert imported["clone"].code == 1, imported["clone"].err   # the same errors, for real this time
    assert real["kind"] == "import" and real["status"] == "completed"
    assert real["configuration"] == dry["configuration"]
    assert real["records"] == dry["records"]
    assert real["overview"] == dry["overview"]
    assert _issues(real) == _issues(dry)
    project = imported["project"]
    assert project.query("select count(*) from main.fct_page_views")[0][0] == 9
    assert project.query("select count(*) from loader.rejects where source_file like '%20240602%'")[0][0] == 1


def test_clone_refuses_a_file_changed_since_the_dry_run(imported, tmp_path):
    project = imported["project"]
    # The dry run's own file, edited after it: refused, and nothing lands.
    saved = imported["day2"].read_bytes()
    try:
        imported["day2"].write_bytes(saved + b"x9,2024-06-02T09:00:00+0000,page_view,v,,s,https://a.example/\n")
        before = _sha(project.warehouse)
        result = project.cli("import", "--from-dry-run", str(imported["dry_path"]), "--report-dir", str(tmp_path))
        assert result.code == 1
        assert "changed since the dry run" in result.err
        assert _sha(project.warehouse) == before
    finally:
        imported["day2"].write_bytes(saved)


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.rows, self._in = set(), {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id"):
            self.ids.add(attrs["id"])
            self._in = attrs["id"]
        elif tag == "tr" and self._in:
            self.rows[self._in] = self.rows.get(self._in, 0) + 1

    def handle_endtag(self, tag):
        if tag == "table":
            self._in = None


def test_html_report_holds_the_issues_table(imported):
    html = imported["dry_report"]
    page = next((imported["project"].root / "dry").glob("*-dry-run.html")).read_text(encoding="utf-8")
    parser = _Tables()
    parser.feed(page)
    assert {"configuration", "files", "overview", "issues"} <= parser.ids
    assert parser.rows["issues"] == 1 + len(html["issues"])
    assert 'id="dry-run-banner"' in page


def _chromium(tmp_path: Path, page: Path, shot: Path) -> str:
    """Open `page` in headless Chromium: a screenshot to `shot`, and the DOM as the browser built it."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed (the Makefile's test target installs it with apt-get)")
    flags = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}"]
    subprocess.run([*flags, f"--screenshot={shot}", "--window-size=1400,2000", page.as_uri()],
                   capture_output=True, timeout=120, check=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    return subprocess.run([*flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120,
                          check=True).stdout


def test_html_report_opens_in_headless_chromium(imported, tmp_path):
    page = next((imported["project"].root / "dry").glob("*-dry-run.html"))
    dom = _chromium(tmp_path, page, tmp_path / "report.png")
    assert '<table id="issues">' in dom
    assert "not a valid timestamp" in dom and "DRY RUN".lower() in dom.lower()
    assert 'id="status">completed with errors<' in dom
    # one file: charts inline as SVG (rows per file date, rejects by reason, deliveries per day), no script
    assert dom.count("<svg") == 3 and "<script" not in page.read_text(encoding="utf-8")
    assert "Records rejected by reason" in dom and "acme.visits: files per day" in dom
    assert "acme_visits_20240602.csv:9" in dom and "yesterday-ish" in dom        # first lines, example values
    # the title names what was imported (one file of one source), not every source of the project
    assert "<title>Dry run report: acme.visits</title>" in dom


def test_the_report_index_lists_every_run_with_charts_over_time(imported, tmp_path):
    from loaders.report_index import write_index

    folder = tmp_path / "reports"
    folder.mkdir()
    root = imported["project"].root
    for sub in ("day1", "dry", "real"):
        for path in (root / sub).glob("*.*"):
            if path.name != "index.html":
                shutil.copy(path, folder / path.name)
    index = write_index(folder)
    assert (root / "dry" / "index.html").is_file()        # each report folder gets its own, at every run
    dom = _chromium(tmp_path, index, tmp_path / "index.png")
    parser = _Tables()
    parser.feed(dom)
    assert parser.rows["runs"] == 1 + 3
    kinds = re.findall(r"<td>(dry run|import)</td>", dom)
    assert kinds == ["import", "dry run", "import"]         # newest first
    assert dom.count("completed with errors") == 2 and dom.count('href="') == 3
    assert dom.count("<svg") == 1 and "acme.visits: rows read (grey) and rejected (red) per run" in dom
    assert "<script" not in index.read_text(encoding="utf-8")
