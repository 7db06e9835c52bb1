"""The dbt features a user of the marts relies on, read from the parsed project (dbt parse's manifest).

- every mart is public, under an enforced contract, with a data_type on each
  column; staging and intermediate models are private;
- every raw source a retailer delivers files to has a freshness rule;
- intermediate models never read marts;
- the import report and an example BI consumer are exposures.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from dbt_show import DBT, ROOT

# Owned by a parallel branch while this one lands (issue 24): its models still read marts and are not
# typed yet. The lead removes these once that branch merges.
NOT_YET = {"intermediate_reading_marts": "models/intermediate/visitors/", "untyped_marts": ("models/marts/attribution/", "models/marts/history/")}
# API sources change only when the API's answer does: their newest landing is no sign of a late delivery
NO_FRESHNESS_FORMATS = {"egoi_contacts"}


@pytest.fixture(scope="module")
def manifest(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("manifest")
    env = {**os.environ, "DO_NOT_TRACK": "1", "RETAIL_WAREHOUSE": str(tmp / "parse.duckdb")}
    proc = subprocess.run([str(DBT), "parse", "--target-path", str(tmp / "target"), "--log-path", str(tmp / "logs")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:]
    return json.loads((tmp / "target" / "manifest.json").read_text())


def models(manifest: dict, folder: str) -> list[dict]:
    return [n for n in manifest["nodes"].values()
            if n["resource_type"] == "model" and n["original_file_path"].startswith(folder)]


@pytest.mark.dbt
def test_marts_are_public_contracts_with_typed_columns(manifest):
    marts = [m for m in models(manifest, "models/marts/") if not m["original_file_path"].startswith(NOT_YET["untyped_marts"])]
    assert len(marts) >= 12   # fct_ga4_events is enabled only when a GA4 source exists
    for mart in marts:
        assert mart["access"] == "public" and mart["group"] == "retail_imports", mart["name"]
        assert mart["config"]["contract"]["enforced"], mart["name"]
        untyped = [c for c, column in mart["columns"].items() if not column.get("data_type")]
        assert mart["columns"] and untyped == [], (mart["name"], untyped)


@pytest.mark.dbt
def test_staging_and_intermediate_models_are_private(manifest):
    for folder in ("models/staging/", "models/intermediate/"):
        for model in models(manifest, folder):
            assert model["access"] == "private" and model["group"] == "retail_imports", model["name"]


@pytest.mark.dbt
def test_every_delivered_raw_source_has_freshness(manifest):
    sources = [s for s in manifest["sources"].values() if s["original_file_path"].startswith("models/staging/")]
    assert len(sources) >= 10
    for source in sources:
        loader = source["config"].get("meta", {}).get("loader") or source["meta"].get("loader") or {}
        if loader.get("format") in NO_FRESHNESS_FORMATS or loader.get("source") == "bigquery":
            continue
        freshness = source.get("freshness") or {}
        assert source.get("loaded_at_field") == "_loaded_at", source["unique_id"]
        assert (freshness.get("warn_after") or {}).get("count"), source["unique_id"]
        assert (freshness.get("error_after") or {}).get("count"), source["unique_id"]


@pytest.mark.dbt
def test_intermediate_models_never_read_marts(manifest):
    nodes = manifest["nodes"]
    for model in models(manifest, "models/intermediate/"):
        if model["original_file_path"].startswith(NOT_YET["intermediate_reading_marts"]):
            continue
        marts = [p for p in model["depends_on"]["nodes"]
                 if nodes.get(p, {}).get("original_file_path", "").startswith("models/marts/")]
        assert marts == [], (model["name"], marts)


@pytest.mark.dbt
def test_the_import_report_and_a_bi_consumer_are_exposures(manifest):
    exposures = {e["name"]: e for e in manifest["exposures"].values()}
    assert {"import_report", "retail_sales_dashboard"} <= set(exposures)
    assert "model.retail_imports.audit_rejected_rows" in exposures["import_report"]["depends_on"]["nodes"]
    assert "model.retail_imports.fct_orders" in exposures["retail_sales_dashboard"]["depends_on"]["nodes"]
