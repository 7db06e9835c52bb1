"""A GA4 export read in place on BigQuery (meta.loader.source: bigquery), on the emulator.

Three days of the real GA4 sample become native export tables in the emulator
(analytics_ga4.events_20201205, events_20201206, and the next day's intraday table
holding its first half). A retailer onboarded with `add-retailer ... --option
events:source=bigquery` is landed (the loader only registers the tables), published
(the manifest) and built by dbt-bigquery; then the day's daily table arrives and a
second run must read that table alone and replace the intraday rows. The marts must
hold what a DuckDB build of the same days, delivered as Parquet export files, holds.

What the emulator (crucible-emulator 0.1.0a2) cannot run, and so is not tested
here: wildcard tables and _TABLE_SUFFIX (the models do not use them: each new table
is named, README "GA4 / BigQuery export"); INFORMATION_SCHEMA; table metadata of
real BigQuery (num_bytes, modified). Only the models the marts need are run
(`dbt run`), to keep the emulator's slow builds few; the data tests run on DuckDB.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from conftest import ROOT, ProjectCopy, run_cli
from emulator import emulator  # noqa: F401  (the fixture)
from ga4_exports import SAMPLE, write_daily_parquet
from ga4_tables import create_table

pytestmark = pytest.mark.dbt

# the export's dataset, and the models' own (not the demo test's `retail`: incremental tables must start empty)
PROJECT, DATASET, MODELS = "retail-local", "analytics_ga4", "retail_ga4"
DAYS, LATE_DAY = ["20201205", "20201206"], "20201207"
MARTS = "+fct_page_views +fct_orders +fct_order_line_items +fct_ga4_events"
FIGURES = {
    "fct_page_views": "count(*), count(distinct page_view_id), count(distinct session_id)",
    "fct_orders": "count(*), count(distinct order_key), sum(revenue)",
    "fct_order_line_items": "count(*), count(distinct order_line_item_key), sum(quantity)",
    "fct_ga4_events": "count(*), count(distinct event_key), count(distinct event_name)",
}


def _client(endpoint: str):
    from google.api_core.client_options import ClientOptions
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import bigquery

    return bigquery.Client(project=PROJECT, credentials=AnonymousCredentials(),
                           client_options=ClientOptions(api_endpoint=endpoint))


def _dbt(project: ProjectCopy, env: dict, *args: str) -> str:
    dbt = ROOT / ".venv" / "bin" / "dbt"
    proc = subprocess.run([str(dbt), *args], cwd=project.root, env={**os.environ, "DO_NOT_TRACK": "1", **env},
                          capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, f"dbt {' '.join(args)}:\n{proc.stdout[-6000:]}\n{proc.stderr[-2000:]}"
    return proc.stdout


def _figures(query, relation) -> dict:
    return {mart: tuple(float(v) if v is not None and not isinstance(v, int) else v
                        for v in query(f"select {sql} from {relation(mart)} where retailer = 'shop'")[0])
            for mart, sql in FIGURES.items()}


@pytest.fixture(scope="module")
def in_place(emulator, tmp_path_factory):  # noqa: F811
    tmp = tmp_path_factory.mktemp("ga4-in-place")
    client = _client(emulator)
    client.create_dataset(f"{PROJECT}.{DATASET}", exists_ok=True, timeout=60)
    rows = {day: create_table(client, f"{PROJECT}.{DATASET}", f"events_{day}", str(SAMPLE), f"event_date = '{day}'")
            for day in DAYS}
    late = f"event_date = '{LATE_DAY}'"
    rows["intraday"] = create_table(client, f"{PROJECT}.{DATASET}", f"events_intraday_{LATE_DAY}", str(SAMPLE),
                                    f"{late} and event_timestamp < (select median(event_timestamp) "
                                    f"from read_parquet('{SAMPLE}') where {late})")

    project = ProjectCopy(tmp / "project")
    project.add_retailer("shop", "events", "ga4_events", f"{PROJECT}.{DATASET}.events_*", source="bigquery")
    env = {**project.env, "RETAIL_TARGET": "emulator", "BIGQUERY_PROJECT": PROJECT, "BIGQUERY_API_ENDPOINT": emulator,
           "BIGQUERY_DATASET": MODELS}
    runs = []
    for run in (1, 2):
        if run == 2:   # the day is over: GA4 writes its daily table
            rows[LATE_DAY] = create_table(client, f"{PROJECT}.{DATASET}", f"events_{LATE_DAY}", str(SAMPLE), late)
        for verb in ("land", "publish"):
            result = run_cli(verb, cwd=project.root, env=env, timeout=900)
            assert result.code == 0, result.out[-3000:] + result.err[-3000:]
        if run == 1:
            _dbt(project, env, "seed")
        _dbt(project, env, "run", "--select", *MARTS.split())
        # the SQL of this run's staging model, with the tables it reads
        compiled = project.root / "target" / "compiled" / "retail_imports" / "models" / "staging" / "shop"
        runs.append((compiled / "stg_shop__events.sql").read_text())
    return {"project": project, "client": client, "rows": rows, "runs": runs}


def test_the_loader_registers_the_tables_without_moving_data(in_place):
    project, rows = in_place["project"], in_place["rows"]
    manifest = project.query("select file_name, file_date, rows_read, rows_landed, rows_rejected, delimiter, message "
                             "from loader.files where retailer = 'shop' order by load_id")
    assert [(name.rsplit(".", 1)[1], n, landed, rejected, layout) for name, _, n, landed, rejected, layout, _ in manifest] \
        == [(f"events_{DAYS[0]}", rows[DAYS[0]], rows[DAYS[0]], 0, "bigquery table"),
            (f"events_{DAYS[1]}", rows[DAYS[1]], rows[DAYS[1]], 0, "bigquery table"),
            (f"events_intraday_{LATE_DAY}", rows["intraday"], rows["intraday"], 0, "bigquery table"),
            (f"events_{LATE_DAY}", rows[LATE_DAY], rows[LATE_DAY], 0, "bigquery table")]
    assert manifest[2][6] == f"replaced by the daily table {PROJECT}.{DATASET}.events_{LATE_DAY}"
    # nothing landed locally: no raw table for a source read in place
    assert project.query("select count(*) from information_schema.tables where table_schema = 'analytics_ga4'") == [(0,)]


def test_each_run_reads_only_its_new_tables_by_name(in_place):
    first, second = in_place["runs"]
    read = re.compile(rf"from `{PROJECT}\.{DATASET}\.(events_[a-z_0-9]+)`")
    assert sorted(set(read.findall(first))) == sorted([f"events_{d}" for d in DAYS] + [f"events_intraday_{LATE_DAY}"])
    assert set(read.findall(second)) == {f"events_{LATE_DAY}"}
    assert "events_*" not in first + second


def test_the_daily_table_replaces_the_intraday_one(in_place):
    client, rows = in_place["client"], in_place["rows"]
    staged = {str(day): (n, files) for day, n, files in client.query(
        f"select _file_date, count(*), count(distinct _source_file) from `{PROJECT}.{MODELS}.stg_shop__events` "
        "group by 1").result(timeout=120)}
    assert staged == {"2020-12-05": (rows[DAYS[0]], 1), "2020-12-06": (rows[DAYS[1]], 1),
                      "2020-12-07": (rows[LATE_DAY], 1)}
    assert 0 < rows["intraday"] < rows[LATE_DAY]


def test_the_marts_equal_a_duckdb_build_of_the_same_days(in_place, tmp_path):
    duck = ProjectCopy(tmp_path / "duckdb")
    write_daily_parquet(duck.root / "drop" / "shop", DAYS + [LATE_DAY])
    duck.add_retailer("shop", "events", "ga4_events", "drop/shop/events_*.parquet")
    result = duck.cli("run")
    assert result.code == 0, result.out[-3000:] + result.err[-3000:]
    client = in_place["client"]

    def bigquery(sql):
        return [tuple(row.values()) for row in client.query(sql, timeout=120).result(timeout=300)]

    on_bigquery = _figures(bigquery, lambda mart: f"`{PROJECT}.{MODELS}.{mart}`")
    on_duckdb = _figures(duck.query, lambda mart: f"main.{mart}")
    assert on_bigquery == on_duckdb
    assert on_duckdb["fct_orders"][0] > 20 and on_duckdb["fct_page_views"][0] > 200
    # the same keys, not only the same counts
    keys = "select page_view_id from {} where retailer = 'shop' order by 1"
    assert bigquery(keys.format(f"`{PROJECT}.{MODELS}.fct_page_views`")) == duck.query(keys.format("main.fct_page_views"))
    keys = "select order_line_item_key, quantity from {} where retailer = 'shop' order by 1"
    assert [(k, float(q)) for k, q in bigquery(keys.format(f"`{PROJECT}.{MODELS}.fct_order_line_items`"))] == \
        [(k, float(q)) for k, q in duck.query(keys.format("main.fct_order_line_items"))]
    shutil.rmtree(duck.root / "target", ignore_errors=True)
