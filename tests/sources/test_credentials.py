"""Credentials come from the environment or a named profile, never from the project's YAML."""

from __future__ import annotations

from delivery import declare

ROW = b"event_id,event_time,visitor_id,url\ne1,2024-06-01T10:00:00Z,v1,https://x.example/a\n"


def _sftp_block(place, backend, **storage) -> dict:
    options = {k: v for k, v in backend.options.items() if k != "password_env"}
    return {"format": "symbiosys_visits_csv", "location": f"{place.url}/acme_visits_*", "storage": {**options, **storage}}


def test_inline_secrets_are_refused_before_anything_runs(mini):
    cases = [
        ({"storage": {"secret": "wJalrXUtnFEMI/K7MDENG"}}, "option 'secret' holds a literal secret"),
        ({"storage": {"password": 12345678}}, "option 'password' holds a literal secret"),
        ({"storage": {"client_kwargs": {"headers": {"api_key": "abc"}}}}, "option 'api_key' holds a literal secret"),
        ({"location": "sftp://acme:hunter2@drop.example/visits/*.csv"}, "the location URL holds a password"),
        ({"location": "https://acme.blob.example/c/x.csv?sv=2024&sig=abc"}, "signature or token in its query string"),
    ]
    for block, message in cases:
        declare(mini, "acme", {"visits": {"format": "symbiosys_visits_csv", "location": "drop/*.csv", **block}})
        result = mini.cli("land")
        assert result.code == 1 and "Traceback" not in result.err, result.err
        assert message in result.err and "_acme__sources.yml" in result.err, result.err
        assert "_env: VARIABLE" in result.err or "environment variable" in result.err


def test_secrets_by_environment_variable_reach_the_store(mini, backend_pool):
    s3 = backend_pool("s3")
    place = s3.new_prefix()
    place.put("acme_visits_20240601.csv", ROW)
    declare(mini, "acme", {"visits": {
        "format": "symbiosys_visits_csv", "location": f"{place.url}/acme_visits_*",
        "storage": {"endpoint_url": s3.options["endpoint_url"],
                    "key": "{{ env_var('ACME_S3_KEY') }}", "secret_env": "ACME_S3_SECRET"},
    }})
    env = {"ACME_S3_KEY": "testing", "ACME_S3_SECRET": "testing"}
    result = mini.cli("land", env=env)
    assert result.code == 0, result.err
    assert mini.query("select event_id from raw_acme.visits") == [("e1",)]

    missing = mini.cli("land", env={"ACME_S3_KEY": "testing"})
    assert missing.code == 1 and "environment variable ACME_S3_SECRET (storage option secret_env) is not set" in \
        missing.err


def test_a_named_profile_outside_the_project_holds_the_password(mini, backend_pool, tmp_path):
    sftp = backend_pool("sftp")
    place = sftp.new_prefix()
    place.put("acme_visits_20240601.csv", ROW)
    block = _sftp_block(place, sftp)
    block["credentials"] = "acme-drop"
    declare(mini, "acme", {"visits": block})
    profiles = tmp_path / "credentials.yml"
    profiles.write_text(f"acme-drop:\n  password: {sftp.env['SFTP_DROP_PASSWORD']}\n")
    result = mini.cli("land", env={"RETAIL_CREDENTIALS": str(profiles)})
    assert result.code == 0, result.err
    assert mini.query("select event_id from raw_acme.visits") == [("e1",)]

    unknown = mini.cli("land", env={"RETAIL_CREDENTIALS": str(tmp_path / "nowhere.yml")})
    assert unknown.code == 1 and "credentials profile 'acme-drop' asked for" in unknown.err


def test_wrong_password_and_unknown_host_key_fail_clearly_and_other_sources_still_land(mini, backend_pool, tmp_path):
    import asyncssh

    sftp = backend_pool("sftp")
    place = sftp.new_prefix()
    place.put("acme_visits_20240601.csv", ROW)
    stranger = tmp_path / "known_hosts"
    port = place.url.split(":")[2].split("/")[0]
    stranger.write_text(f"[127.0.0.1]:{port} "
                        f"{asyncssh.generate_private_key('ssh-ed25519').export_public_key().decode().strip()}\n")
    mini.write("local/acme_visits_20240601.csv", ROW)
    declare(mini, "acme", {
        "wrong_password": _sftp_block(place, sftp, password_env="WRONG"),
        "unknown_host": _sftp_block(place, sftp, password_env="SFTP_DROP_PASSWORD", known_hosts=str(stranger)),
        "local": {"format": "symbiosys_visits_csv", "location": str(mini.data / "local" / "acme_visits_*")},
    })
    result = mini.cli("land", env={**sftp.env, "WRONG": "not-the-password"})
    assert result.code == 1 and "Traceback" not in result.err, result.err
    assert "1 landed, 0 unchanged, 2 failed" in result.err
    assert "acme.wrong_password: cannot open sftp://127.0.0.1:" in result.err
    assert "Permission denied for user loader" in result.err
    assert "acme.unknown_host: cannot open sftp://127.0.0.1:" in result.err
    assert "Host key is not trusted for host 127.0.0.1" in result.err
    assert mini.query("select event_id from raw_acme.local") == [("e1",)]


def test_fake_keys_never_appear_in_output_manifest_or_reports(mini, backend_pool, tmp_path):
    """A refused login leaves no trace of the keys it was given: not in the
    terminal, the manifest, the rejects, nor a crash log."""
    sftp = backend_pool("sftp")
    s3 = backend_pool("s3")
    place, bucket = sftp.new_prefix(), s3.new_prefix()
    place.put("acme_visits_20240601.csv", ROW)
    fake_password, fake_secret = "FAKE-sftp-p4ss-7f3a9c", "FAKE/aws+secret=Zq8v2K"
    declare(mini, "acme", {
        "sftp": _sftp_block(place, sftp, password_env="FAKE_PASSWORD"),
        "s3": {"format": "symbiosys_visits_csv", "location": f"{bucket.url}/acme_visits_*",
               "storage": {"endpoint_url": "http://127.0.0.1:9", "key_env": "FAKE_KEY", "secret_env": "FAKE_SECRET"}},
    })
    logs_before = set(tmp_path.parent.glob("retail-imports-*.log"))
    result = mini.cli("land", env={**sftp.env, "FAKE_PASSWORD": fake_password, "FAKE_KEY": "AKIAFAKEKEY0000",
                                    "FAKE_SECRET": fake_secret})
    assert result.code == 1 and "Traceback" not in result.err, result.err
    status = mini.cli("status", "--rejects")
    stored = "\n".join(str(r) for r in mini.query("select * from loader.files") + mini.query("select * from loader.rejects"))
    crash_logs = "".join(p.read_text() for p in set(tmp_path.parent.glob("retail-imports-*.log")) - logs_before)
    for secret in (fake_password, fake_secret):
        for text in (result.out, result.err, status.out, status.err, stored, crash_logs):
            assert secret not in text
