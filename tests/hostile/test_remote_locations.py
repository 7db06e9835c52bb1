"""Issue 25.11 on remote stores: an SFTP or FTP folder that does not exist fails its source (exit 1); an S3
prefix with no object yet is a location where nothing was delivered, and says so (exit 0)."""

from __future__ import annotations

import re

import pytest
import yaml


def _declare(mini, retailer: str, backend, location: str) -> None:
    block = {"format": "symbiosys_visits_csv", "location": location}
    if backend.options:
        block["storage"] = dict(backend.options)
    doc = {"version": 2, "sources": [{"name": retailer, "schema": f"raw_{retailer}",
                                      "tables": [{"name": "visits", "config": {"meta": {"loader": block}}}]}]}
    (mini.root / "models" / f"_{retailer}__sources.yml").write_text(yaml.safe_dump(doc, sort_keys=False))


@pytest.mark.parametrize("protocol", ["sftp", "ftp"])
def test_a_missing_folder_on_a_store_with_folders_fails_its_source(mini, backend_pool, protocol):
    backend = backend_pool(protocol)
    place = backend.new_prefix()
    _declare(mini, "far", backend, f"{place.url}/never-created/far_visits_*.csv")
    result = mini.cli("land", env=backend.env)
    assert result.code == 1, result.err
    assert re.search(r"failed far\.visits: folder \S*never-created does not exist", result.err), result.err


def test_an_empty_s3_prefix_is_nothing_found(mini, backend_pool):
    backend = backend_pool("s3")
    place = backend.new_prefix()
    _declare(mini, "far", backend, f"{place.url}/visits/far_visits_*.csv")
    result = mini.cli("land", env=backend.env)
    assert result.code == 0, result.err
    assert re.search(r"nothing found far\.visits: no file matches s3://\S+/visits/far_visits_\*\.csv", result.err)
