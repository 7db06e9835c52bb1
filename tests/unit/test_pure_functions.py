"""Fast tests of the loader's pure functions: no warehouse, no dbt, no files (milliseconds each).

The end-to-end suites show these rules on real deliveries; here each rule's
edges are pinned one by one: a source's overrides of its format, the date a
file name gives, and the delimiter a first line is split on.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from loaders.discovery import file_stamp
from loaders.errors import FileError, LoaderError
from loaders.formats import FileDatePattern, load_format
from loaders.sniff import _pick_delimiter

ROOT = Path(__file__).resolve().parents[2]


# -- format overrides (Format.for_source) ------------------------------------------------------

@pytest.fixture(scope="module")
def kevel():
    return load_format(ROOT, "kevel_orders_csv")


def test_a_block_without_overrides_is_the_format_itself(kevel):
    assert kevel.for_source({"format": "kevel_orders_csv"}, "src") is kevel


def test_columns_and_defaults_override_one_column_each(kevel):
    fmt = kevel.for_source({"columns": {"order_id": {"source": "orderRef"}}, "defaults": {"currency_code": "EUR"}},
                           "src")
    assert fmt.column("order_id").source == "orderRef"
    assert fmt.column("currency_code").default == "EUR"
    # the rest of the declaration is untouched
    assert fmt.column("order_id").required and fmt.column("user_id") == kevel.column("user_id")
    assert [c.name for c in fmt.columns] == [c.name for c in kevel.columns]


def test_a_default_given_twice_takes_the_defaults_block(kevel):
    fmt = kevel.for_source({"columns": {"currency_code": {"default": "USD"}}, "defaults": {"currency_code": "EUR"}},
                           "src")
    assert fmt.column("currency_code").default == "EUR"


def test_optional_columns_make_required_fields_optional(kevel):
    fmt = kevel.for_source({"optional_columns": "refund"}, "src")
    assert not fmt.column("refund_amount").required and fmt.optional == ("refund",)
    assert "refund" not in fmt.vendor_required


def test_the_field_that_keys_an_orders_rows_cannot_be_made_optional(kevel):
    with pytest.raises(LoaderError, match="optional_columns names orderId, not a field"):
        kevel.for_source({"optional_columns": ["orderId"]}, "src")


def test_file_options_override_the_format_file_block():
    fmt = load_format(ROOT, "generic_csv")
    source = fmt.for_source({"file": {"delimiters": [";"], "header": False, "columns": ["a", "b"]}}, "src")
    assert (source.delimiters, source.header, source.file_columns) == ((";",), False, ("a", "b"))
    assert source.encoding == fmt.encoding


@pytest.mark.parametrize("block, message", [
    ({"columns": {"no_such_column": {"source": "x"}}}, "no column no_such_column in format kevel_orders_csv"),
    ({"defaults": ["EUR"]}, "meta.loader.defaults must be a mapping"),
    ({"columns": {"order_id": "orderRef"}}, r"meta.loader.columns.order_id must be a mapping such as \{source: FIELD\}"),
    ({"file": {"header": "yes"}}, "file.header must be true, false or auto"),
    ({"file": {"delimiters": ["#####"]}}, "a delimiter must be 1 to 4 bytes long"),
])
def test_a_wrong_override_names_the_source_and_the_key(kevel, block, message):
    with pytest.raises(LoaderError, match=message) as caught:
        kevel.for_source(block, "source acme.orders")
    assert str(caught.value).startswith("source acme.orders: ")


# -- file dates (discovery.file_stamp) ---------------------------------------------------------


def file_date(path, pattern):
    stamp = file_stamp(path, pattern)
    return stamp.date if stamp else None


VISITS = FileDatePattern(r"_visits_(\d{8})\.", "%Y%m%d")


@pytest.mark.parametrize("path, expected", [
    ("drop/acme_visits_20240601.csv", date(2024, 6, 1)),
    ("drop/2023/acme_visits_20240229.csv.gz", date(2024, 2, 29)),          # leap day; the folder's year is not read
    ("s3://bucket/acme/acme_visits_20241231.csv", date(2024, 12, 31)),
])
def test_the_file_name_gives_the_date(path, expected):
    assert file_date(path, VISITS) == expected


@pytest.mark.parametrize("path, message", [
    ("drop/acme_visits_latest.csv", "file name has no date matching"),
    ("drop/acme_visits_20240230.csv", "file name date '20240230' is not a real date"),
    ("drop/acme_visits_20241301.csv", "is not a real date"),
])
def test_a_name_without_one_real_date_is_refused(path, message):
    with pytest.raises(FileError, match=message):
        file_date(path, VISITS)


def test_two_different_dates_in_a_name_are_refused_rather_than_guessed():
    pattern = FileDatePattern(r"(\d{4}-\d{2}-\d{2})", "%Y-%m-%d")
    with pytest.raises(FileError, match="holds more than one date: 2024-06-01, 2024-06-02"):
        file_date("export_2024-06-01_to_2024-06-02.csv", pattern)
    assert file_date("export_2024-06-01_of_2024-06-01.csv", pattern) == date(2024, 6, 1)


def test_a_path_pattern_reads_the_folder_and_a_name_pattern_does_not():
    ga4 = load_format(ROOT, "ga4_events").file_date
    assert file_date("exports/events_20201205/000000000000.parquet", ga4) == date(2020, 12, 5)
    assert file_date("exports/events_intraday_20201207/part-1.json.gz", ga4) == date(2020, 12, 7)
    with pytest.raises(FileError, match="no date"):
        file_date("drop/events_20201205/acme_visits.csv", VISITS)


def test_a_format_without_a_date_pattern_takes_a_plain_date_or_none():
    assert file_date("anything.csv", None) is None
    assert file_date("kestrel_orders_20240601.csv", None) == date(2024, 6, 1)
    stamp = file_stamp("acme_visits_2024060113.csv", VISITS_HOURLY)
    assert (stamp.date, stamp.hour) == (date(2024, 6, 1), 13)


VISITS_HOURLY = FileDatePattern(r"_visits_(?P<date>\d{8})(?P<hour>\d{2})\.", "%Y%m%d")


# -- delimiter choice (sniff._pick_delimiter) --------------------------------------------------

@pytest.mark.parametrize("line, allowed, expected", [
    ("a,b,c", (",", "\t", ";"), ","),
    ("a;b;c,d", (",", ";"), ";"),                          # the most frequent wins
    ('"x;y;z";b,c,d', (",", ";"), ","),                    # inside quotes does not count
    ("a\tb\tc", (",", "\t"), "\t"),
    ("a, b, c", (",", ", "), ", "),                        # a longer delimiter wins a tie with its first character
    ("a, b,c", (",", ", "), ","),                          # ... but not when the short one is seen more
    ("single", (";", ","), ";"),                           # none seen: the format's first
    ("", ("|",), "|"),
])
def test_the_delimiter_is_the_allowed_one_seen_most_outside_quotes(line, allowed, expected):
    assert _pick_delimiter(line, allowed) == expected
