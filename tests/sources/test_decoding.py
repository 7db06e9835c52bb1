"""Compressed deliveries and encodings, through the real CLI against a real DuckDB file."""

from __future__ import annotations

import csv
import gzip
import io
import shutil
import zipfile

from delivery import declare

HEADER = "event_id,event_time,visitor_id,url"
CP1252_FILE = "eshop-clothing-derived-cp1252/e-shop clothing 2008.csv"


def _visits(mini, **options) -> None:
    declare(mini, "shop", {"visits": {"format": "symbiosys_visits_csv",
                                      "location": str(mini.data / "shop_visits_*"), **options}})


def _zip(members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _rows(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def test_cp1252_file_lands_with_correct_characters_under_auto_detection(mini, realdata):
    original = realdata / CP1252_FILE
    declare(mini, "eshop", {"sessions": {"format": "generic_csv", "location": str(mini.data / "*.csv"),
                                         "encoding": "auto"}})
    shutil.copy(original, mini.data / original.name)

    result = mini.cli("land")
    assert result.code == 0, result.err
    assert "decoded from cp1252, auto-detected" in result.err
    assert mini.query("select encoding, rows_rejected from loader.files") == [("cp1252", 0)]
    assert "cp1252" in mini.cli("status", "--files").out

    # every record, value for value, as Python's csv module reads the file as cp1252
    with open(original, encoding="cp1252", newline="") as handle:
        reader = csv.reader(handle)
        width = len(next(reader))
        expected = [(reader.line_num, *row) for row in reader if len(row) == width]
    columns = [r[0] for r in mini.query(
        "select column_name from information_schema.columns where table_schema = 'raw_eshop' "
        "and column_name not like '\\_%' escape '\\' order by ordinal_position")]
    assert len(columns) == width
    values = ", ".join(f"coalesce(\"{c}\", '')" for c in columns)
    landed = mini.query(f"select _line_number, {values} from raw_eshop.sessions order by 1")
    assert landed == expected
    assert any("Numeric (1\u20135)" in row for row in landed)   # byte 0x96 is an en dash in cp1252


def test_explicit_encoding_lands_the_same_and_undecodable_bytes_are_rejected_with_their_line(mini):
    _visits(mini, encoding="cp1252")
    mini.write("shop_visits_20240601.csv", _rows(
        "e1,2024-06-01T10:00:00Z,v1,https://x.example/caf\xe9",
        "e2,2024-06-01T10:00:00Z,v2,https://x.example/\u20ac",
    ).decode().encode("cp1252") + b"e3,2024-06-01T10:00:00Z,v3,https://x.example/\x81\n"  # 0x81: no cp1252 character
                                + b"e4,2024-06-01T10:00:00Z,v4,https://x.example/ok\n")
    result = mini.cli("land")
    assert result.code == 0, result.err
    assert mini.query("select event_id, url, _line_number from raw_shop.visits order by 3") == [
        ("e1", "https://x.example/café", 2), ("e2", "https://x.example/€", 3), ("e4", "https://x.example/ok", 5)]
    assert mini.query("select line_number, reason from loader.rejects") == [
        (4, "bytes that are not valid UTF-8 (set the source's encoding)")]
    assert mini.query("select encoding, rows_read, rows_landed, rows_rejected from loader.files") == [
        ("cp1252", 4, 3, 1)]


def test_byte_order_marks_are_stripped_and_utf16_is_read(mini):
    _visits(mini)
    body = _rows("e1,2024-06-01T10:00:00Z,v1,https://x.example/ñ").decode()
    mini.write("shop_visits_20240601.csv", b"\xef\xbb\xbf" + body.encode())
    mini.write("shop_visits_20240602.csv", body.replace("e1", "e2").encode("utf-16"))   # BOM + UTF-16
    result = mini.cli("land")
    assert result.code == 0, result.err
    assert mini.query("select event_id, url from raw_shop.visits order by 1") == [
        ("e1", "https://x.example/ñ"), ("e2", "https://x.example/ñ")]
    assert sorted(mini.query("select encoding from loader.files")) == [("utf-16-le",), ("utf-8-sig",)]
    # the BOM did not become part of the first column's name
    assert mini.query("select count(*) from information_schema.columns where column_name like '%event_id'") == [(1,)]


def test_unknown_encoding_is_a_clear_error(mini):
    _visits(mini, encoding="klingon-8")
    mini.write("shop_visits_20240601.csv", _rows("e1,2024-06-01T10:00:00Z,v1,https://x.example/a"))
    result = mini.cli("land")
    assert result.code == 1 and "Traceback" not in result.err
    assert "unknown encoding 'klingon-8'" in result.err


def test_gzip_and_zip_members_land_with_their_names_and_dates(mini):
    _visits(mini)
    mini.write("shop_visits_20240601.csv.gz", gzip.compress(_rows("a1,2024-06-01T10:00:00Z,v1,https://x.example/a")))
    mini.write("shop_visits_20240605.zip", _zip({
        "day/visits.csv": _rows("b1,2024-06-05T10:00:00Z,v1,https://x.example/b"),          # no date: the archive's
        "shop_visits_20240604.csv": _rows("c1,2024-06-04T10:00:00Z,v1,https://x.example/c"),
        "__MACOSX/._shop_visits_20240604.csv": b"\x00\x05\x16\x07",                          # resource fork: not data
    }))
    result = mini.cli("land")
    assert result.code == 0, result.err
    assert "3 landed, 0 unchanged, 0 failed" in result.err
    assert mini.query("select event_id, _source_file, _file_date::varchar from raw_shop.visits order by 1") == [
        ("a1", "drop/shop_visits_20240601.csv.gz", "2024-06-01"),
        ("b1", "drop/shop_visits_20240605.zip/day/visits.csv", "2024-06-05"),
        ("c1", "drop/shop_visits_20240605.zip/shop_visits_20240604.csv", "2024-06-04"),
    ]
    # a new archive where one member changed: that member re-lands, the other is recognised by checksum
    mini.write("shop_visits_20240605.zip", _zip({
        "day/visits.csv": _rows("b1,2024-06-05T10:00:00Z,v1,https://x.example/b"),
        "shop_visits_20240604.csv": _rows("c2,2024-06-04T11:00:00Z,v1,https://x.example/c2"),
    }, method=zipfile.ZIP_STORED))
    again = mini.cli("land")
    assert again.code == 0, again.err
    assert "1 landed, 2 unchanged, 0 failed" in again.err
    assert mini.query("select event_id from raw_shop.visits order by 1") == [("a1",), ("b1",), ("c2",)]


def test_zip_slip_and_links_are_refused_and_nothing_is_written_outside(mini, tmp_path):
    _visits(mini)
    links = zipfile.ZipInfo("shop_visits_20240602_link.csv")
    links.external_attr = (0o120777 << 16)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("../../escaped_visits_20240601.csv", _rows("x1,2024-06-01T10:00:00Z,v1,https://x.example/x"))
        zf.writestr("/etc/shop_visits_20240601.csv", _rows("x2,2024-06-01T10:00:00Z,v1,https://x.example/x"))
        zf.writestr(links, "/etc/passwd")
        zf.writestr("shop_visits_20240601.csv", _rows("ok,2024-06-01T10:00:00Z,v1,https://x.example/ok"))
    mini.write("shop_visits_20240601.zip", buffer.getvalue())
    result = mini.cli("land")
    assert result.code == 1
    assert "unsafe member name '../../escaped_visits_20240601.csv'" in result.err
    assert "unsafe member name '/etc/shop_visits_20240601.csv'" in result.err
    assert "is a symbolic link: not unpacked" in result.err
    assert mini.query("select event_id from raw_shop.visits") == [("ok",)]
    assert not list(tmp_path.rglob("escaped_visits_*"))
    assert mini.query("select count(*) from loader.files where status = 'failed'") == [(3,)]


def test_decompression_bombs_are_refused_within_the_limits(mini):
    _visits(mini, location=str(mini.data / "shop_visits_*.zip"), max_unpacked_bytes=100_000)
    zeros = b"0" * (40 << 20)   # 40 MiB that deflate to ~40 KiB: ratio ~1000
    mini.write("shop_visits_20240601.zip", _zip({
        "shop_visits_20240601.csv": _rows("ok,2024-06-01T10:00:00Z,v1,https://x.example/ok"),
        "shop_visits_20240602.csv": _rows("big,2024-06-02T10:00:00Z,v1,https://x.example/" + "y" * 200_000),
    }))
    mini.write("shop_visits_20240603.csv.gz", gzip.compress(_rows("z,2024-06-03T10:00:00Z,v1,x") + zeros))
    declare(mini, "bomb", {"visits": {"format": "symbiosys_visits_csv", "location": str(mini.data / "*.gz")}})
    result = mini.cli("land")
    assert result.code == 1 and "Traceback" not in result.err
    assert "shop_visits_20240602.csv: unpacks to more than max_unpacked_bytes (100000 bytes)" in result.err
    assert "shop_visits_20240603.csv.gz: compression ratio above max_compression_ratio (250)" in result.err
    assert mini.query("select event_id from raw_shop.visits") == [("ok",)]
    assert mini.query("select count(*) from raw_bomb.visits") == [(0,)]


def test_damaged_compressed_files_fail_clearly_and_land_nothing(mini):
    _visits(mini)
    good = gzip.compress(_rows("a,2024-06-01T10:00:00Z,v1,https://x.example/a"))
    mini.write("shop_visits_20240601.csv.gz", good[: len(good) // 2])
    mini.write("shop_visits_20240602.csv.gz", _rows("b,2024-06-02T10:00:00Z,v1,https://x.example/b"))
    mini.write("shop_visits_20240603.zip", b"PK\x03\x04 not really a zip")
    result = mini.cli("land")
    assert result.code == 1 and "Traceback" not in result.err
    assert "shop_visits_20240601.csv.gz: gzip data is damaged" in result.err
    assert "shop_visits_20240602.csv.gz: not gzip data" in result.err
    assert "shop_visits_20240603.zip: not a readable zip archive" in result.err
    assert mini.query("select count(*) from raw_shop.visits") == [(0,)]
