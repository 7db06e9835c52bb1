"""The facts look for the stored version of an incoming key only from the run's
earliest incoming date less processing_window_days (meta.prune_partitions;
DECISIONLOG "Newest-delivery lookups look back from the incoming rows' dates").

A re-delivery of an old day, alone, days after newer days landed, still replaces
its earlier version: the bound follows the incoming rows, not the newest day. The
one case out of reach, an event whose date moved later by more than the window,
is not silently doubled: the daily run's key test fails the build.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta

import pytest

from conftest import ProjectCopy

pytestmark = pytest.mark.dbt

COLUMNS = ["event_id", "event_time", "visitor_id", "crm_id", "session_id", "url", "referrer",
           "utm_source", "utm_medium", "utm_campaign", "platform", "user_agent"]
FIRST = date(2024, 6, 1)
SELECT = ["--dbt-arg=--select=+fct_page_views", "--dbt-arg=--indirect-selection=cautious"]


def _write(project: ProjectCopy, day: int, events: list[tuple[str, int, str]]) -> None:
    """acme's visits file of `day`: (event id, day of the event, page) each."""
    stamp = (FIRST + timedelta(days=day - 1)).strftime("%Y%m%d")
    path = project.data / "acme" / "visits" / f"acme_visits_{stamp}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, COLUMNS, lineterminator="\n")
        writer.writeheader()
        for event_id, event_day, page in events:
            moment = (FIRST + timedelta(days=event_day - 1)).strftime("%Y-%m-%dT10:00:00Z")
            writer.writerow({"event_id": event_id, "event_time": moment, "visitor_id": "v1", "crm_id": "",
                             "session_id": f"s-{event_id}", "url": f"https://shop.example{page}", "referrer": "",
                             "utm_source": "", "utm_medium": "", "utm_campaign": "", "platform": "web",
                             "user_agent": "Mozilla/5.0 (X11; Linux x86_64)"})


def _build(project: ProjectCopy, tests: bool = False):
    args = SELECT if tests else [*SELECT, "--dbt-arg=--exclude-resource-type=test"]
    return project.cli("run", *args)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> ProjectCopy:
    project = ProjectCopy(tmp_path_factory.mktemp("redelivery_window") / "project")
    for day in range(1, 7):   # six days, each with its page view, day 1 with one more
        _write(project, day, [(f"pv-{day}", day, "/first")] + ([("moved", 1, "/moved")] if day == 1 else []))
    result = _build(project)
    assert result.code == 0, result.out[-3000:] + result.err[-3000:]
    return project


def test_old_day_redelivered_alone_replaces_its_earlier_version(project):
    # day 1 again, changed, five days after day 6 landed: more than the window behind the newest day
    _write(project, 1, [("pv-1", 1, "/second"), ("moved", 1, "/moved")])
    result = _build(project)
    assert result.code == 0, result.out[-3000:] + result.err[-3000:]
    assert project.query("select event_id, page_url from fct_page_views where event_id = 'pv-1'") == [
        ("pv-1", "https://shop.example/second")]
    assert project.query("select count(*), count(distinct page_view_id) from fct_page_views") == [(7, 7)]
    # and the lookup was bounded: the statement names the window from the incoming rows' dates
    compiled = next((project.root / "target" / "run").rglob("fct_page_views.sql")).read_text()
    assert "viewed_date >=" in compiled


def test_event_moved_later_than_the_window_fails_the_daily_key_test(project):
    # `moved`, of day 1, sent again dated day 7: its stored version is out of the window's reach
    _write(project, 7, [("moved", 7, "/moved")])
    result = _build(project, tests=True)
    assert result.code != 0
    assert "unique_fct_page_views_page_view_id" in result.out + result.err
    assert project.query("select count(*) from fct_page_views where event_id = 'moved'") == [(2,)]
