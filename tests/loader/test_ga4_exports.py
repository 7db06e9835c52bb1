"""GA4 BigQuery exports (format ga4_events) through the real CLI: Parquet and
newline-delimited JSON (gzip or not), dates in the name or a folder, every
event landed with its nested fields whole, and bad deliveries refused or
rejected by line, never lost. The real sample is the input
(../shared/realdata/ga4-obfuscated-sample), counted here with plain DuckDB.
"""

from __future__ import annotations

import gzip
import json
import re
import shlex
from datetime import date

import pytest

from conftest import ROOT, run_cli
from ga4_exports import SAMPLE, connect, ndjson_lines, write_daily_parquet, write_ndjson

DAY = "20201203"


@pytest.fixture(scope="module")
def daily(tmp_path_factory):
    """Two days of the sample as the export's daily Parquet files."""
    return write_daily_parquet(tmp_path_factory.mktemp("ga4-daily"), [DAY, "20201204"])


def _declare(mini, glob: str) -> None:
    mini.declare("shop", {"events": ("ga4_events", glob)})


def test_parquet_lands_every_event_with_nested_fields_as_json(mini, daily):
    mini.write(f"ga4/events_{DAY}.parquet", daily[0].read_bytes())
    _declare(mini, "ga4/events_*.parquet")
    result = mini.cli("land")
    assert result.code == 0, result.err

    with connect() as con:
        expected = con.execute(f"""select count(*), count(*) filter (where event_name = 'page_view')
                                   from read_parquet('{daily[0]}')""").fetchone()
        fields = [name for name, in con.execute(f"select column_name from (describe select * from read_parquet('{daily[0]}'))").fetchall()]
        first = con.execute(f"""select cast(to_json(event_params) as varchar), cast(to_json(items) as varchar),
                                       cast(event_timestamp as varchar), user_pseudo_id
                                from read_parquet('{daily[0]}') limit 1""").fetchone()
    landed = mini.query("""select count(*), count(*) filter (where event_name = 'page_view'),
                                  min(_line_number), max(_line_number), count(distinct _line_number)
                           from raw_shop.events""")[0]
    assert landed == (expected[0], expected[1], 1, expected[0], expected[0])
    # every field of the export is a column, as text; nested ones as their JSON
    columns = {c for c, in mini.query("select column_name from information_schema.columns where table_name = 'events'")}
    assert set(fields) <= columns
    assert mini.query("select event_params, items, event_timestamp, user_pseudo_id from raw_shop.events "
                      "where _line_number = 1")[0] == first
    assert json.loads(first[0])[0]["key"]    # a list of {key, value} records
    manifest = mini.query("select file_date, delimiter, rows_read, rows_landed, rows_rejected, status from loader.files")
    assert manifest == [(date(2020, 12, 3), "parquet", expected[0], expected[0], 0, "landed")]


def test_ndjson_gzip_in_a_dated_folder_lands_the_same_events(mini, daily):
    # bq extract with a wildcard: one folder per daily table, numbered parts
    parts = ndjson_lines(daily[0])
    half = len(parts) // 2
    for number, chunk in enumerate((parts[:half], parts[half:])):
        mini.write(f"ga4/events_{DAY}/{number:012d}.json.gz",
                   gzip.compress(("\n".join(chunk) + "\n").encode(), mtime=0))
    _declare(mini, "ga4/*/*.json.gz")
    result = mini.cli("land")
    assert result.code == 0, result.err
    assert mini.query("select count(*), count(distinct _source_file), min(_file_date), max(_file_date) "
                      "from raw_shop.events") == [(len(parts), 2, date(2020, 12, 3),
                                                  date(2020, 12, 3))]
    assert mini.query("select delimiter, sum(rows_landed), sum(rows_rejected) from loader.files group by 1") == [
        ("json_lines", len(parts), 0)]
    # no _record copy of the line: the export's fields are the columns
    columns = {c for c, in mini.query("select column_name from information_schema.columns where table_name = 'events'")}
    assert "_record" not in columns and {"event_params", "items", "ecommerce", "user_pseudo_id"} <= columns
    # scalar fields as delivered; 64-bit integers written as JSON strings land as their digits
    with connect() as con:
        expected = sorted(con.execute(f"""select user_pseudo_id, event_name, cast(event_timestamp as varchar)
                                          from read_parquet('{daily[0]}')""").fetchall())
    assert sorted(mini.query("select user_pseudo_id, event_name, event_timestamp from raw_shop.events")) == expected
    # a re-run finds nothing new
    again = mini.cli("land")
    assert again.code == 0 and "0 landed, 2 unchanged" in again.err


def test_a_file_that_is_not_a_ga4_export_is_refused_by_name(mini, daily):
    mini.write("ga4/events_20201205.csv", "order_id,revenue\n1,10\n")
    with connect() as con:
        con.execute(f"copy (select 1 as order_id, 'x' as name) to '{mini.data / 'ga4' / 'events_20201206.parquet'}' "
                    "(format parquet)")
    mini.write("ga4/events_20201207.json", '{"order_id": 1, "revenue": 10}\n')
    _declare(mini, "ga4/events_*")
    result = mini.cli("land")
    assert result.code == 1
    assert "events_20201205.csv:1: neither Parquet nor newline-delimited JSON" in result.err
    assert "events_20201206.parquet:1: missing required column(s) event_name, event_timestamp (format ga4_events)" \
        in result.err
    assert "events_20201207.json:1: missing required column(s) event_name, event_timestamp" in result.err
    assert mini.query("select count(*) from loader.files where status = 'failed'") == [(3,)]
    assert mini.query("select count(*) from raw_shop.events") == [(0,)]


def test_a_truncated_parquet_file_fails_whole_and_lands_again_once_complete(mini, daily):
    whole = daily[0].read_bytes()
    path = mini.write(f"ga4/events_{DAY}.parquet", whole[: len(whole) * 2 // 3])
    _declare(mini, "ga4/events_*.parquet")
    result = mini.cli("land")
    assert result.code == 1
    assert f"events_{DAY}.parquet: not a readable Parquet file (truncated or damaged?)" in result.err
    assert mini.query("select status, rows_landed from loader.files") == [("failed", None)]
    assert mini.query("select count(*) from raw_shop.events") == [(0,)]
    path.write_bytes(whole)   # the export completes: the next run lands all of it
    assert mini.cli("land").code == 0
    with connect() as con:
        rows = con.execute(f"select count(*) from read_parquet('{daily[0]}')").fetchone()[0]
    assert mini.query("select status, rows_landed from loader.files") == [("landed", rows)]


def test_broken_json_lines_are_rejected_by_line_and_events_without_a_time_still_land(mini, daily):
    lines = ndjson_lines(daily[1])[:50]
    record = json.loads(lines[9])
    del record["event_timestamp"]          # an event missing its time: staging flags it, the loader keeps it
    lines[9] = json.dumps(record)
    lines[19] = lines[19][: len(lines[19]) // 2]   # cut in the middle
    lines.insert(30, "not json at all")
    mini.write("ga4/events_20201204.json", "\n".join(lines) + "\n")
    _declare(mini, "ga4/events_*.json")
    result = mini.cli("land")
    assert result.code == 0, result.err
    assert mini.query("select rows_read, rows_landed, rows_rejected from loader.files") == [(51, 49, 2)]
    # strict JSON lines say where each line breaks (issue 25.5)
    (cut, cut_reason), (text, text_reason) = mini.query("select line_number, reason from loader.rejects order by 1")
    assert (cut, text, text_reason) == (20, 31, "not valid JSON: expecting value at character 1")
    assert re.fullmatch(r"not valid JSON: unterminated string starting at character \d+", cut_reason), cut_reason
    assert mini.query("select _line_number from raw_shop.events where event_timestamp is null") == [(10,)]


def test_the_file_date_comes_from_the_path_and_a_path_without_one_fails(mini, daily):
    mini.write("ga4/exports/latest/shop-events.parquet", daily[0].read_bytes())
    mini.write("ga4/exports/events_20201204/part-0.parquet", daily[1].read_bytes())
    _declare(mini, "ga4/exports/*/*.parquet")
    result = mini.cli("land")
    assert result.code == 1
    assert "shop-events.parquet: file path has no date matching" in result.err
    assert mini.query("select file_date, status from loader.files order by 1 nulls last") == [
        (date(2020, 12, 4), "landed"), (None, "failed")]


def test_the_sample_file_itself_lands_whole(mini):
    # one file for the whole quarter, dated by its folder
    mini.write("ga4/events_20210131/ga4_events_sampled.snappy.parquet", SAMPLE.read_bytes())
    _declare(mini, "ga4/*/*.parquet")
    assert mini.cli("land").code == 0
    assert mini.query("select count(*), count(*) filter (where event_name = 'purchase') from raw_shop.events") == [
        (24_219, 624)]


@pytest.mark.parametrize("form", ["parquet", "json.gz"])
def test_discover_proposes_ga4_events_for_an_export_file(tmp_path, daily, form):
    sample = tmp_path / f"events_{DAY}.{form}"
    if form == "parquet":
        sample.write_bytes(daily[0].read_bytes())
    else:
        write_ndjson(daily[0], sample)
    result = run_cli("discover", str(sample), "--retailer", "shop", "--dataset", "events",
                     "--folder", "drop/shop", cwd=ROOT)
    assert result.code == 0, result.err
    assert ("Parquet" if form == "parquet" else "JSON lines") in result.out
    assert "closest format: ga4_events" in result.out and "required fields the file lacks" not in result.out
    proposed = shlex.split(result.out.split("proposed:")[1])
    assert proposed == ["retail-imports", "add-retailer", "shop", "--dataset",
                        f"events:ga4_events:drop/shop/events_*.{form}"]


def test_an_interrupted_parquet_read_is_an_interrupt_not_a_broken_file(daily):
    """Ctrl-C while DuckDB reads a large export: the run is cancelled (issue 22.7); the file must not be
    recorded failed as 'not a readable Parquet file' and retried with back-off."""
    import duckdb

    from loaders.parquet import parse_parquet

    class Interrupted:
        def execute(self, *args, **kwargs):
            raise duckdb.InterruptException("Query interrupted")

    with pytest.raises(KeyboardInterrupt):
        parse_parquet(Interrupted(), str(daily[0]))
