"""The project on BigQuery semantics, offline: the demo retailers built by dbt-bigquery
against a local BigQuery emulator (crucible-emulator on 127.0.0.1) must give the
same marts as the DuckDB build of the same files.

Two deliveries: days 1-2, then day 3 (the change). After each: land (DuckDB),
`dbt build` on DuckDB; `retail-imports publish` to the emulator, `dbt seed` and
`dbt build` on the emulator target. At the end, `sqlfluff lint` with the
BigQuery dialect on the SQL compiled for BigQuery. The second BigQuery build
is incremental, and its delete statements (the facts' and the visitor
models', which replace regions) must carry a constant partition filter
(emulators report 0 bytes processed, so pruning is checked on the SQL).

Excluded on the emulator, for an emulator limitation only (README "Running on
BigQuery"): int_user_ids and what is built on it (int_user_attributes,
dim_users, dim_user_id_links), because crucible-emulator 0.1.0a2 has no
JSON_KEYS (json_entries' BigQuery variant) and no TO_JSON of a null (the
users' attributes JSON int_user_ids carries);
and stg_spec__transformation_examples (the spec's transformation tables),
because the emulator mistranslates parse_timestamp(pattern, text, zone) (it
prefixes a year to the text), which custom_timestamp's BigQuery variant uses.
"""

from __future__ import annotations

import os
import re
import sys
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from conftest import ROOT, run_cli
from emulator import emulator  # noqa: F401  (the fixture)

pytestmark = pytest.mark.dbt

DBT = ROOT / ".venv" / "bin" / "dbt"
PROJECT = "retail-local"
# Emulator limitations only, see the module docstring: JSON_KEYS; parse_timestamp with a time zone.
EMULATOR_EXCLUDES = ["int_user_ids+", "stg_spec__transformation_examples"]
# mart -> key column; the comparison is on the full set of keys, not only counts
MARTS = {
    "fct_page_views": "page_view_id",
    "fct_orders": "order_key",
    "fct_order_line_items": "order_line_item_key",
    "fct_conversions": "conversion_key",
    "fct_offline_events": "offline_event_key",
    "dim_products": "product_key",
    "dim_visitor_identities": "identity_period_key",
    "fct_order_attribution": "order_key",
    # the visitor models, incremental by region (keys of several columns as one text)
    "int_sessions": "session_key",
    "int_visitor_days": "retailer || '|' || visitor_id || '|' || cast(activity_date as string)",
    "int_crm_id_days": "retailer || '|' || crm_id || '|' || cast(activity_date as string)",
    "audit_visitor_id_health": "retailer || '|' || cast(activity_date as string)",
    "audit_visitor_id_anomalies": "retailer || '|' || anomaly || '|' || coalesce(visitor_id, crm_id)",
    # build-time history: one row per state; the build times differ, the states do not
    "snp_orders": "order_key",
    "snp_order_line_items": "order_line_item_key",
}
SUMS = {"fct_orders": "revenue", "fct_order_line_items": "quantity", "fct_conversions": "revenue",
        "fct_offline_events": "quantity", "int_sessions": "page_views", "int_visitor_days": "sessions_in_window",
        "fct_order_attribution": "visits_in_lookback"}


def _dbt(env: dict, *args: str, timeout: int = 300) -> str:
    proc = subprocess.run([str(DBT), *args, "--project-dir", str(ROOT)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"dbt {' '.join(args)} failed:\n{proc.stdout[-6000:]}\n{proc.stderr[-2000:]}"
    return proc.stdout


def _bq_client(endpoint: str):
    from google.api_core.client_options import ClientOptions
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import bigquery

    return bigquery.Client(project=PROJECT, credentials=AnonymousCredentials(),
                           client_options=ClientOptions(api_endpoint=endpoint))


def _figures_duckdb(warehouse: Path) -> dict:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {mart: _figures(lambda sql: con.execute(sql).fetchall(), f"main.{mart}", mart) for mart in MARTS}


def _figures_bigquery(endpoint: str) -> dict:
    bq = _bq_client(endpoint)

    def query(sql):
        return [tuple(row.values()) for row in bq.query(sql, timeout=60).result(timeout=60)]

    return {mart: _figures(query, f"`{PROJECT}.retail.{mart}`", mart) for mart in MARTS}


def _figures(query, relation: str, mart: str) -> dict:
    key = MARTS[mart]
    out = {
        "rows": query(f"select count(*) from {relation}")[0][0],
        "keys": sorted(str(r[0]) for r in query(f"select {key} from {relation}")),
    }
    if mart in SUMS:
        total = query(f"select sum({SUMS[mart]}) from {relation}")[0][0]
        out["sum"] = None if total is None else round(float(total), 2)
    return out


def test_demo_builds_on_the_bigquery_emulator_like_on_duckdb(emulator, tmp_path):  # noqa: F811 (the fixture)
    data, held = tmp_path / "data", tmp_path / "held"
    assert run_cli("demo-data", "--out", str(data), "--days", "3", cwd=ROOT).code == 0
    last_day = max(re.search(r"(\d{8})", p.name).group(1) for p in data.rglob("*_2*.*"))
    later = [p for p in data.rglob(f"*{last_day}*") if p.is_file()]
    assert later, "the demo data has no third day"
    for path in later:   # the second delivery: held back for now
        target = held / path.relative_to(data)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(path, target)

    profiles = tmp_path / "profiles"
    profiles.mkdir()
    shutil.copy(ROOT / "profiles.yml.example", profiles / "profiles.yml")
    base = {**os.environ, "DO_NOT_TRACK": "1", "RETAIL_WAREHOUSE": str(tmp_path / "warehouse.duckdb"),
            "RETAIL_DATA_DIR": str(data), "DBT_PROFILES_DIR": str(profiles), "DBT_LOG_PATH": str(tmp_path / "logs")}
    duck = {**base, "RETAIL_TARGET": "duckdb", "DBT_TARGET_PATH": str(tmp_path / "target-duckdb")}
    bq = {**base, "RETAIL_TARGET": "emulator", "DBT_TARGET_PATH": str(tmp_path / "target-bigquery"),
          "BIGQUERY_PROJECT": PROJECT, "BIGQUERY_API_ENDPOINT": emulator, "DBT_LOG_PATH": str(tmp_path / "logs-bq")}
    excludes = ["--exclude", *EMULATOR_EXCLUDES]

    for delivery in (1, 2):
        if delivery == 2:
            for path in held.rglob("*"):
                if path.is_file():
                    shutil.move(path, data / path.relative_to(held))
        landed = run_cli("land", cwd=ROOT, env=duck)
        assert landed.code == 0, landed.stderr
        _dbt(duck, "build")
        published = run_cli("publish", cwd=ROOT, env=bq, timeout=300)
        assert published.code == 0, published.stderr
        if delivery == 1:
            _dbt(bq, "seed")
        _dbt(bq, "build", *excludes)
        assert _figures_bigquery(emulator) == _figures_duckdb(tmp_path / "warehouse.duckdb"), f"delivery {delivery}"

    # The raw layer on BigQuery holds what DuckDB holds, rejects included (line numbers kept).
    client = _bq_client(emulator)
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        local = sorted(con.execute("select source_file, line_number, reason from loader.rejects").fetchall())
        raw_local = con.execute("select count(*) from raw_acme.visits").fetchone()[0]
    remote = sorted(tuple(r.values()) for r in client.query(
        f"select source_file, line_number, reason from `{PROJECT}.loader.rejects`").result())
    assert local and remote == local
    assert list(client.query(f"select count(*) from `{PROJECT}.raw_acme.visits`").result())[0][0] == raw_local

    # The incremental run's MERGE deletes within constant partition bounds: the day-3 partitions plus the window.
    log = (tmp_path / "logs-bq" / "dbt.log").read_text(errors="replace")
    for mart, field in [("fct_page_views", "viewed_date"), ("fct_orders", "ordered_date")]:
        pattern = (rf"merge into `{PROJECT}`\.`retail`\.`{mart}` as DBT_INTERNAL_DEST[^;]*?"
                   rf"and DBT_INTERNAL_DEST\.`{field}` >= date_sub\(date '\d{{4}}-\d\d-\d\d', interval 3 day\)")
        assert re.search(pattern, log, re.S), f"no partition filter in the incremental delete of {mart}"
    # The visitor models replace regions from the earliest change they rebuild: their partitions from there on.
    for model, field in [("int_sessions", "started_date"), ("int_visitor_days", "activity_date"),
                         ("int_crm_id_days", "activity_date"), ("audit_visitor_id_health", "activity_date"),
                         ("fct_order_attribution", "ordered_date")]:
        pattern = (rf"merge into `{PROJECT}`\.`retail`\.`{model}` as DBT_INTERNAL_DEST.*?then delete")
        merges = re.findall(pattern, log, re.S)
        assert merges, f"{model} was not merged incrementally"
        assert all(re.search(rf"and DBT_INTERNAL_DEST\.{field} >= (date\()?cast\('\d{{4}}-\d\d-\d\d", merge)
                   for merge in merges), f"no partition filter in the region replace of {model}"

    # sqlfluff with the BigQuery dialect on the SQL dbt compiled for BigQuery: it
    # parses, and no column name is used twice in one select (BigQuery names are
    # case-insensitive: `Title` and `title` collide).
    compiled = sorted(p for p in (tmp_path / "target-bigquery" / "compiled" / "retail_imports" / "models").rglob("*.sql")
                      if not any(part.endswith(".yml") for part in p.parts))
    assert len(compiled) > 30
    sqlfluff = Path(sys.executable).with_name("sqlfluff")
    lint = subprocess.run([str(sqlfluff), "lint", *map(str, compiled), "--dialect", "bigquery", "--templater", "raw",
                           "--rules", "aliasing.unique.column", "--disable-progress-bar"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert lint.returncode == 0, lint.stdout[-5000:] + lint.stderr[-2000:]
