"""One retailer folder (.csv, .csv.gz, .zip) served by six real backends on 127.0.0.1.

Each backend: the folder lands with every row and checksum as read
independently here; a second run downloads nothing and changes nothing;
changing one file re-lands that file only. Then all six at once in one
run: identical raw rows, rejects and manifest checksums.
"""

from __future__ import annotations

import gzip

from delivery import (declare, delivery_files, delivery_units, expected_checksums, expected_rows, landed, manifest)

from loaders.storage import public_url


def _block(place, backend) -> dict:
    block = {"format": "symbiosys_visits_csv", "location": f"{place.url}/visits/acme_visits_*"}
    if backend.options:
        block["storage"] = dict(backend.options)
    return block


def _serve(place, units) -> None:
    for name, data in delivery_files(units).items():
        place.put(f"visits/{name}", data)


def test_folder_lands_then_rerun_is_a_noop_then_only_the_changed_file_relands(mini, backend):
    place = backend.new_prefix()
    units = delivery_units()
    _serve(place, units)
    declare(mini, "acme", {"visits": _block(place, backend)})
    prefix = public_url(place.url) + "/visits"

    first = mini.cli("land", env=backend.env)
    assert first.code == 0, first.err
    assert "4 landed, 0 unchanged, 0 failed; 1 rows rejected" in first.err
    assert landed(mini, "raw_acme.visits", prefix) == expected_rows(units)
    files = manifest(mini, "visits", prefix)
    assert {name: row[0] for name, row in files.items()} == expected_checksums(units)
    assert {row[1] for row in files.values()} == {"landed"}
    assert mini.query("select line_number, reason from loader.rejects") == [
        (3, "wrong number of fields: expected 4, found 3")]

    again = mini.cli("land", env=backend.env)
    assert again.code == 0, again.err
    assert "0 landed, 4 unchanged, 0 failed" in again.err
    if backend.name != "local":
        assert "downloaded 0 files (0 bytes)" in again.err
    assert manifest(mini, "visits", prefix) == files
    if backend.name == "http":
        # fingerprints came from HEAD requests: no GET of a file since the first run
        requests = backend.server.requests.read_text().splitlines()
        last_get = max(i for i, r in enumerate(requests) if r.startswith("GET") and "acme_visits_" in r)
        assert not any(r.startswith("GET") and "acme_visits_" in r for r in requests[last_get + 1:])

    units["acme_visits_20240602.csv.gz"] = gzip.decompress(
        delivery_files(delivery_units(day2_rows=5))["acme_visits_20240602.csv.gz"])
    _serve(place, {"acme_visits_20240602.csv.gz": units["acme_visits_20240602.csv.gz"]})
    changed = mini.cli("land", env=backend.env)
    assert changed.code == 0, changed.err
    assert "1 landed, 3 unchanged, 0 failed" in changed.err
    if backend.name != "local":
        assert "downloaded 1 files" in changed.err
    assert landed(mini, "raw_acme.visits", prefix) == expected_rows(units)
    after = manifest(mini, "visits", prefix)
    assert after["acme_visits_20240602.csv.gz"][0] == expected_checksums(units)["acme_visits_20240602.csv.gz"]
    assert after["acme_visits_20240602.csv.gz"][-1] > files["acme_visits_20240602.csv.gz"][-1]
    assert {k: v for k, v in after.items() if k != "acme_visits_20240602.csv.gz"} == \
        {k: v for k, v in files.items() if k != "acme_visits_20240602.csv.gz"}


def test_the_same_folder_lands_identically_from_all_six_backends(mini, backend_pool):
    units = delivery_units()
    tables, prefixes, env = {}, {}, {}
    for name in ("local", "s3", "gcs", "azure", "sftp", "http"):
        backend = backend_pool(name)
        place = backend.new_prefix()
        _serve(place, units)
        tables[f"visits_{name}"] = _block(place, backend)
        prefixes[name] = public_url(place.url) + "/visits"
        env.update(backend.env)
    declare(mini, "acme", tables)

    result = mini.cli("land", env=env)
    assert result.code == 0, result.err
    assert "24 landed, 0 unchanged, 0 failed; 6 rows rejected" in result.err

    def view(name):
        rows = landed(mini, f"raw_acme.visits_{name}", prefixes[name])
        files = {unit: row[:5] for unit, row in manifest(mini, f"visits_{name}", prefixes[name]).items()}
        rejects = mini.query("select line_number, reason, raw_text from loader.rejects where dataset = ?",
                             [f"visits_{name}"])
        return rows, files, rejects

    reference = view("local")
    assert reference[0] == expected_rows(units)
    for name in ("s3", "gcs", "azure", "sftp", "http"):
        assert view(name) == reference, name
    lineage = mini.query("select distinct _source_file from raw_acme.visits_s3 order by 1")
    assert lineage[-1][0].endswith("/visits/acme_visits_20240603.zip/late/acme_visits_20240604.csv")
    assert lineage[0][0].startswith("s3://retail-drop/")


def test_one_file_over_http_is_checked_with_head_requests_only(mini, backend_pool):
    http = backend_pool("http")
    place = http.new_prefix()
    units = delivery_units()
    _serve(place, units)
    url = f"{place.url}/visits/acme_visits_20240601.csv"
    declare(mini, "acme", {"visits": {"format": "symbiosys_visits_csv", "location": url}})
    assert mini.cli("land").code == 0
    log = http.server.requests
    seen = len(log.read_text().splitlines())
    again = mini.cli("land")
    assert "0 landed, 1 unchanged, 0 failed" in again.err, again.err
    since = [line.split()[:2] for line in log.read_text().splitlines()[seen:]]
    assert since == [["HEAD", url.split(str(http.server.port))[1]]]


def test_https_with_a_verified_certificate_and_basic_auth(mini, backend_pool):
    https = backend_pool("https")
    place = https.new_prefix()
    units = delivery_units()
    _serve(place, units)
    declare(mini, "acme", {"visits": _block(place, https)})
    prefix = public_url(place.url) + "/visits"
    result = mini.cli("land", env=https.env)
    assert result.code == 0, result.err
    assert landed(mini, "raw_acme.visits", prefix) == expected_rows(units)

    # without the password, or without trusting the certificate: one clear line, nothing landed
    no_password = mini.cli("land", env={**https.env, "ACME_HTTP_PASSWORD": "wrong"})
    assert no_password.code == 1 and "401" in no_password.err and "Traceback" not in no_password.err
    untrusted = mini.cli("land", env={k: v for k, v in https.env.items() if k != "SSL_CERT_FILE"})
    assert untrusted.code == 1 and "certificate verify failed" in untrusted.err.lower(), untrusted.err


def test_ftps_verifies_the_certificate_and_takes_the_password_from_the_environment(mini, backend_pool):
    """Spec 004: "put the file to FTP path". FTP over TLS, as the SFTP rules: secrets from the environment."""
    ftps = backend_pool("ftps")
    place = ftps.new_prefix()
    units = delivery_units()
    _serve(place, units)
    declare(mini, "acme", {"visits": _block(place, ftps)})
    prefix = public_url(place.url) + "/visits"
    result = mini.cli("land", env=ftps.env)
    assert result.code == 0, result.err
    assert landed(mini, "raw_acme.visits", prefix) == expected_rows(units)
    assert prefix.startswith("ftps://127.0.0.1:")

    wrong = mini.cli("land", env={**ftps.env, "FTP_DROP_PASSWORD": "wrong"})
    assert wrong.code == 1 and "Traceback" not in wrong.err
    assert "acme.visits: cannot open ftps://127.0.0.1:" in wrong.err and "530" in wrong.err, wrong.err
    untrusted = mini.cli("land", env={k: v for k, v in ftps.env.items() if k != "SSL_CERT_FILE"})
    assert untrusted.code == 1 and "certificate verify failed" in untrusted.err.lower(), untrusted.err

    # a password in the URL is refused before anything is sent
    declare(mini, "acme", {"visits": {**_block(place, ftps), "location": "ftps://loader:hunter2@127.0.0.1/x/*"}})
    refused = mini.cli("land", env=ftps.env)
    assert refused.code == 1 and "the location URL holds a password" in refused.err
