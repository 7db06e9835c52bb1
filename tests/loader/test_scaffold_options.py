"""add-retailer --option values are YAML, unknown options are refused, and users have id flags."""

from __future__ import annotations

from conftest import copy_project, loader_block, run_cli
from loaders.project import load_sources


def test_option_values_are_yaml_and_user_ids_have_their_own_flags(tmp_path):
    project = copy_project(tmp_path)
    result = run_cli("add-retailer", "crmco", "--dataset", "users:kevel_users:drop/crm/users_*.csv",
                     "--option", "users:casts={orders: integer, vip: bool}",
                     "--option", "users:defaults={hash_email: true}",
                     "--user-id-field", "users:email", "--user-id-type", "users:email", cwd=project)
    assert result.code == 0, result.err
    loader = loader_block(project, "crmco")
    assert loader["casts"] == {"orders": "integer", "vip": "bool"}
    assert loader["columns"] == {"user_id": {"source": "email"}}
    assert loader["defaults"] == {"hash_email": True, "user_id_type": "email"}

    result = run_cli("add-retailer", "shopco", "--dataset", "orders:shopify_orders_csv:drop/s/orders_*.csv",
                     "--option", "orders:optional_columns=[Email, Id]", "--option", "orders:order_id_column=Id",
                     "--option", "orders:timestamp_format='%d/%m/%Y %H:%M'", cwd=project)
    assert result.code == 0, result.err
    loader = loader_block(project, "shopco")
    assert loader["optional_columns"] == ["Email", "Id"] and loader["order_id_column"] == "Id"
    assert loader["timestamp_format"] == "%d/%m/%Y %H:%M"


def test_unknown_or_malformed_options_are_refused_with_what_is_known(tmp_path):
    project = copy_project(tmp_path)
    base = ["add-retailer", "badco", "--dataset", "users:kevel_users:x_*.csv"]
    for flags, message in [
        (["--option", "users:user_id_type=email"], "unknown option 'user_id_type' for format kevel_users (known options: "),
        (["--option", "users:columns=user_id"], "meta.loader.columns must be a mapping, not 'user_id'"),
        (["--option", "users:columns={user_id: email}"], "meta.loader.columns.user_id must be a mapping such as {source: FIELD}"),
        (["--option", "users:columns={nope: {source: x}}"], "no column nope in format kevel_users"),
        (["--option", "users:timestamp_format=%d/%m"], "VALUE is read as YAML and this does not parse"),
        (["--option", "users:format=kevel_orders_csv"], "format is set by --dataset"),
        (["--user-id-field", "users"], "expected NAME:FIELD"),
        (["--user-id-type", "visits:email"], "NAME one of the --dataset names"),
    ]:
        result = run_cli(*base, *flags, cwd=project)
        assert result.code == 2 and "Traceback" not in result.err, (flags, result.err)
        assert message in result.err, (flags, result.err)
    # the list of known options names what the loader and the format read
    result = run_cli(*base, "--option", "users:timezon=UTC", cwd=project)
    assert result.code == 2 and "did you mean timezone?" in result.err
    for known in ("timezone (zone of date-times without an offset)", "optional_columns (", "encoding (", "casts ("):
        assert known in result.err, result.err
    assert "transformations (" not in result.err   # written by the transformation flags
    result = run_cli("add-retailer", "visitco", "--dataset", "visits:symbiosys_visits_csv:x_*.csv",
                     "--user-id-type", "visits:email", cwd=project)
    assert result.code == 2 and "format symbiosys_visits_csv has no user_id_type column" in result.err
    assert not (project / "models/staging/badco").exists() and not (project / "models/staging/visitco").exists()


def test_the_options_of_every_source_kind_are_known(tmp_path):
    # the README's commands for the collector, GA4 read in place, personal data and E-goi
    project = copy_project(tmp_path)
    for args in [
        ["webshop", "--cadence", "hourly", "--dataset", "visits:symbiosys_visits_csv:spool/webshop/visits",
         "--option", "visits:source=event_api", "--option", "visits:write_key_env=WEBSHOP_VISITS_KEY",
         "--option", "visits:cors_origins=https://www.webshop.example", "--option", "visits:rate_limit_per_second=50",
         "--option", "visits:segment_max_seconds=60"],
        ["shopga", "--dataset", "events:ga4_events:my-project.analytics_123456.events_*",
         "--option", "events:source=bigquery"],
        ["crmco", "--dataset", "users:kevel_users:drop/crmco/users_*", "--option", "users:pii={first_name: name, "
         "mobile: phone}", "--option", "users:phone_country_code=33"],
        ["keepco", "--dataset", "orders:shopify_orders_csv:drop/keepco/orders_*.csv", "--option", "orders:pii=keep"],
        ["egoico", "--dataset", "contacts:egoi_contacts", "--option", "contacts:list_id=0123",
         "--option", "contacts:api_key_env=EGOI_KEY", "--option", "contacts:page_size=500",
         "--option", "contacts:request_retries=2"],
    ]:
        result = run_cli("add-retailer", *args, cwd=project)
        assert result.code == 0, (args, result.err)
    assert {k: v for k, v in loader_block(project, "webshop").items() if k != "location"} == {
        "format": "symbiosys_visits_csv", "cadence": "hourly", "source": "event_api",
        "write_key_env": "WEBSHOP_VISITS_KEY", "cors_origins": "https://www.webshop.example",
        "rate_limit_per_second": "50", "segment_max_seconds": "60"}
    assert loader_block(project, "shopga")["source"] == "bigquery"
    assert loader_block(project, "crmco")["pii"] == {"first_name": "name", "mobile": "phone"}
    assert loader_block(project, "crmco")["phone_country_code"] == "33"
    assert loader_block(project, "keepco")["pii"] == "keep"
    # a number stays the text given: an id keeps its zero (YAML would read 0123 as 83)
    assert loader_block(project, "egoico")["list_id"] == "0123"
    assert loader_block(project, "egoico")["page_size"] == "500"
    # the loader reads what add-retailer wrote
    kinds = {s.key: s.kind for s in load_sources(project)}
    assert {k: kinds[k] for k in ("webshop.visits", "shopga.events", "crmco.users", "egoico.contacts")} == {
        "webshop.visits": "event_api", "shopga.events": "bigquery", "crmco.users": "files",
        "egoico.contacts": "egoi_contacts"}
    # a literal secret is refused as one, not as an unknown option
    result = run_cli("add-retailer", "leakco", "--dataset", "visits:symbiosys_visits_csv:spool/leakco",
                     "--option", "visits:source=event_api", "--option", "visits:write_key=0123456789abcdef0123",
                     cwd=project)
    assert result.code == 2 and "option 'write_key' holds a literal secret" in result.err, result.err
    assert not (project / "models/staging/leakco").exists()
