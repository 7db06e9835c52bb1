"""Deliveries as the vendor specs describe them, through the real CLI (issue 22 points 1, 3, 4, 9; issue 25.5).

Hourly files (spec 000), the conversion vendor's JSON rows exactly as its
page prints them and one file per date (spec 002), strict JSON lines, and
the file date of every file whose name holds one.
"""

from __future__ import annotations

import re

from conftest import ROOT

SPECS = ROOT.parent / "shared" / "vendor-specs"
VISITS = "event_id,event_time,visitor_id,url\n"


def _manifest(mini, dataset: str) -> list[tuple]:
    return mini.query("select file_name, file_date, file_hour, status, rows_read, rows_landed, rows_rejected, message "
                      "from loader.files where dataset = ? order by file_name", [dataset])


def _name(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def test_hourly_files_land_as_separate_deliveries_with_date_and_hour(mini):
    mini.declare("acme", {"visits": ("symbiosys_visits_csv", "acme_visits_*.csv")})
    names = {"acme_visits_2024060100.csv": 0, "acme_visits_20240601_01.csv": 1, "acme_visits_20240601T02.csv": 2,
             "acme_visits_20240601-03.csv": 3, "acme_visits_20240602.csv": None}
    for name, hour in names.items():
        mini.write(name, VISITS + f"e{hour},2024-06-01T{(hour or 0):02d}:10:00Z,v1,https://a.tld/{name}\n")
    mini.write("acme_visits_20240601-24.csv", VISITS + "e9,2024-06-01T23:10:00Z,v1,https://a.tld/x\n")

    result = mini.cli("land")

    assert result.code == 1, result.err   # the hour 24 file fails, naming itself; the others land
    assert "5 landed, 0 unchanged, 1 failed" in result.err
    assert "acme_visits_20240601-24.csv: file name hour '24' after the date 20240601 is not an hour (00 to 23)" \
        in " ".join(result.err.split())
    rows = {_name(name): (day, hour, status) for name, day, hour, status, *_ in _manifest(mini, "visits")}
    assert {n: (str(d) if d else None, h, s) for n, (d, h, s) in rows.items()} == {
        **{name: ("2024-06-01" if hour is not None else "2024-06-02", hour, "landed") for name, hour in names.items()},
        "acme_visits_20240601-24.csv": (None, None, "failed"),
    }
    # each hour is its own delivery, with its own rows
    assert mini.query("select count(distinct _source_file), count(*) from raw_acme.visits") == [(5, 5)]
    status = mini.cli("status", "--files")
    assert status.code == 0 and "2024-06-01 03h" in status.out and "2024-06-02" in status.out


def test_discover_proposes_a_location_that_matches_every_hour(mini):
    sample = mini.write("acme_visits_2024060117.csv", VISITS + "e1,2024-06-01T17:10:00Z,v1,https://a.tld/\n")
    for name in ("acme_visits_20240601_17.csv", "acme_visits_20240601T17.csv", "acme_visits_20240601-17.csv"):
        sample.rename(sample.with_name(name))
        sample = sample.with_name(name)
        result = mini.cli("discover", str(sample), "--retailer", "acme", "--dataset", "visits", "--folder", "drop")
        assert result.code == 0, result.err
        assert re.search(r"date in the name: 20240601.17 \(%Y%m%d, hour 17\)", result.out), result.out
        assert "visits:symbiosys_visits_csv:drop/acme_visits_*.csv" in result.out, result.out


def _vendor_json_rows() -> str:
    """The conversion vendor's "Example of a valid row file", exactly as its page prints it."""
    text = next(SPECS.glob("002_*.txt")).read_text(encoding="utf-8")
    after = text.split("Example of a valid row file:", 1)[1]
    line = next(line for line in after.splitlines() if line.strip())
    assert line.startswith("{'url': 'https://domain.tld'") and line.endswith("},")
    return line


def test_the_vendors_json_rows_land_exactly_as_its_page_prints_them(mini):
    mini.declare("shop", {"conversions": ("botify_conversions", "*")})
    mini.write("conversion-export-2020-09-22.json", _vendor_json_rows() + "\n")

    result = mini.cli("land")

    assert result.code == 0, result.err
    rows = mini.query("select _line_number, url, date, channel, transactions, revenue from raw_shop.conversions "
                      "order by transactions")
    assert rows == [(1, "https://domain.tld", "2020-09-22", "organic", "1", "10.0"),
                    (1, "https://domain.tld/path", "2020-09-22", "organic", "2", "20.0"),
                    (1, "https://domain.tld/path", "2020-09-22", "social", "3", "30.0")]
    ((_, _, _, status, read, landed, rejected, message),) = _manifest(mini, "conversions")
    assert (status, read, landed, rejected) == ("landed", 3, 3, 0)
    assert message == "1 line read as JSON5 rows"


def test_json_rows_one_object_a_line_and_broken_rows_rejected_with_their_line(mini):
    mini.declare("shop", {"conversions": ("botify_conversions", "*")})
    lines = [
        "{'url': 'https://a.tld/1', 'date': '2020-09-22', 'transactions': 1},",     # 1 the vendor's form, one a line
        '{"url": "https://a.tld/2", "date": "2020-09-22", "transactions": 2}',      # 2 strict JSON
        "{'url': 'https://a.tld/3', 'date': '2020-09-22',}, {'url': broken}, {'url': 'https://a.tld/4'},",  # 3
        "{'url': 'https://a.tld/5' 'date': '2020-09-22'},",                          # 4 a comma missing
        "{'url': 'https://a.tld/6', 'revenue': NaN},",                               # 5 not a JSON number
    ]
    mini.write("conversion-export-2020-09-22.jsonl", "\n".join(lines) + "\n")

    result = mini.cli("land")

    assert result.code == 0, result.err
    assert mini.query("select _line_number, url, transactions from raw_shop.conversions order by 1, 2") == [
        (1, "https://a.tld/1", "1"), (2, "https://a.tld/2", "2"), (3, "https://a.tld/3", None)]
    rejects = mini.query("select line_number, error_type, reason, raw_text from loader.rejects order by 1")
    assert [(line, kind) for line, kind, *_ in rejects] == [(3, "INVALID JSON"), (4, "INVALID JSON"),
                                                             (5, "INVALID JSON")]
    # the rest of line 3 from the broken object on is kept as the rejected text
    assert rejects[0][3] == "{'url': broken}, {'url': 'https://a.tld/4'},"
    assert rejects[0][2].startswith("not valid JSON5 from character 52")
    assert rejects[2][2] == "a number JSON cannot hold (NaN or Infinity)"
    ((*_, read, landed, rejected, _),) = _manifest(mini, "conversions")
    assert (read, landed, rejected) == (6, 3, 3)


def test_strict_json_lines_reject_a_trailing_comma_and_other_json5(mini):
    """kevel_users reads JSON lines (spec 003): the conversion vendor's leniency is not theirs."""
    mini.declare("shop", {"users": ("kevel_users", "*")}, extra={"columns": "{user_id: {source: userId}}"})
    lines = [
        '{"userId": "a", "vip": true}',       # 1 valid
        '{"userId": "x",}',                   # 2 trailing comma inside
        '{"userId": "y"},',                   # 3 comma after the object
        "{'userId': 'z'}",                    # 4 single quotes
        '{"userId": "n", "score": NaN}',      # 5 NaN
        '{"userId": "q", "note": "a, }"}',    # 6 valid: the comma is inside a string
    ]
    mini.write("users_1.jsonl", "\n".join(lines) + "\n")

    result = mini.cli("land")

    assert result.code == 0, result.err
    assert mini.query("select _line_number, userId from raw_shop.users order by 1") == [(1, "a"), (6, "q")]
    assert mini.query("select line_number, error_type, reason from loader.rejects order by 1") == [
        (2, "INVALID JSON", "not valid JSON: a trailing comma before '}' (character 15)"),
        (3, "INVALID JSON", "not valid JSON: a comma after the object (JSON lines hold one object per line, "
                            "nothing after it)"),
        (4, "INVALID JSON", "not valid JSON: expecting property name enclosed in double quotes at character 2"),
        (5, "INVALID JSON", "not valid JSON: NaN is not a JSON number"),
    ]
    ((*_, read, landed, rejected, _),) = _manifest(mini, "users")
    assert (read, landed, rejected) == (6, 2, 4)


def test_a_second_file_for_a_date_lands_and_is_warned_about(mini):
    mini.declare("shop", {"conversions": ("botify_conversions", "*")})
    mini.write("conversion-export-2020-09-22.csv", "https://a.tld/, 2020-09-22, organic, 1, 10.0\n")
    assert mini.cli("land").code == 0
    mini.write("conversion-export-2020-09-22-resent.csv", "https://a.tld/, 2020-09-22, organic, 2, 20.0\n")
    mini.write("conversion-export-2020-09-23.csv", "https://a.tld/, 2020-09-23, organic, 3, 30.0\n")

    result = mini.cli("land")

    assert result.code == 0, result.err
    err = " ".join(result.err.split())
    assert ("warning drop/conversion-export-2020-09-22-resent.csv: a second file for 2020-09-22 (after "
            "drop/conversion-export-2020-09-22.csv); botify_conversions allows one file per date, so this newest "
            "delivery replaces the other's rows in the marts") in err, err
    assert err.count("warning") == 1   # the 23rd is its date's only file
    messages = {_name(name): message for name, *_, message in _manifest(mini, "conversions")}
    assert messages["conversion-export-2020-09-22-resent.csv"].startswith("a second file for 2020-09-22")
    assert messages["conversion-export-2020-09-22.csv"] is None and messages["conversion-export-2020-09-23.csv"] is None
    # both files' rows are kept in raw: nothing is lost, the marts keep the newest
    assert mini.query("select count(*) from raw_shop.conversions") == [(3,)]
    status = mini.cli("status", "--files")
    assert "a second file for 2020-09-22" in " ".join(status.out.split())


def test_status_shows_the_date_of_every_file_whose_name_holds_one(mini):
    """Kevel orders declare no file-name date; a name that holds one still gives the file its date."""
    header = ("orderId,userIdType,userId,currency,total,subtotal,tax,shipping,discount,refund,createdAt,"
              "lineItem_productId,lineItem_sku,lineItem_currency,lineItem_total,lineItem_subtotal,lineItem_tax,"
              "lineItem_shipping,lineItem_discount,lineItem_refund,lineItem_quantity,lineItem_status\n")
    row = "{},crm_id,c1,EUR,10,10,0,0,0,0,2024-06-01T10:00:00Z,p1,s1,EUR,10,10,0,0,0,0,1,paid\n"
    mini.declare("kestrel", {"orders": ("kevel_orders_csv", "*.csv")})
    # each its own order: the same content under another name would be a duplicate (issue 25.7)
    mini.write("kestrel_orders_20240601.csv", header + row.format("O1"))
    mini.write("kestrel_orders_2024-06-02_07.csv", header + row.format("O2"))
    mini.write("kestrel_orders_latest.csv", header + row.format("O3"))
    # a duplicate lands nothing, but its name holds a date all the same
    mini.write("kestrel_orders_20240603_09.csv", header + row.format("O1"))

    assert mini.cli("land").code == 0
    assert [(_name(n), str(d) if d else None, h, s) for n, d, h, s, *_ in _manifest(mini, "orders")] == [
        ("kestrel_orders_2024-06-02_07.csv", "2024-06-02", 7, "landed"),
        ("kestrel_orders_20240601.csv", "2024-06-01", None, "landed"),
        ("kestrel_orders_20240603_09.csv", "2024-06-03", 9, "duplicate"),
        ("kestrel_orders_latest.csv", None, None, "landed"),
    ]
    assert mini.query("select distinct _file_date::varchar from raw_kestrel.orders order by 1") == [
        ("2024-06-01",), ("2024-06-02",), (None,)]
    out = mini.cli("status", "--files").out
    assert re.search(r"kestrel_orders_20240601\.csv\s+2024-06-01\s", out), out
