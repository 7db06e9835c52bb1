"""The hostile-input corpus: files that break in the ways real deliveries do.

Each case is a file (built here, large ones generated) and the exact outcome
the loader must produce: landed / rejected counts and reasons, or a file-level
failure with its message. Cases use the visits format (a format with a
declared header and a dated file name) or generic_csv (any columns).
"""

from __future__ import annotations

import gzip
import io
import zipfile
from dataclasses import dataclass, field

V = "event_id,event_time,visitor_id,url\n"
ROW = "e{n},2024-06-01T10:00:00Z,v{n},https://x.example/{n}\n"


def rows(count: int, start: int = 1) -> str:
    return "".join(ROW.format(n=n) for n in range(start, start + count))


def zipped(members: list[tuple[str, str | bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


CAFE = V + "e1,2024-06-01T10:00:00Z,v1,https://x.example/café–1\n" + ROW.format(n=2)


@dataclass(frozen=True)
class Case:
    name: str
    content: bytes
    file_name: str = "shop_visits_20240601.csv"
    format: str = "symbiosys_visits_csv"
    options: dict = field(default_factory=dict)
    # expected outcome
    status: str = "landed"
    landed: int = 0
    rejected: int = 0
    reasons: tuple[str, ...] = ()          # substrings, one per rejected row, in line order
    reject_lines: tuple[int, ...] = ()
    message: str = ""                      # substring of the file-level failure
    columns: tuple[str, ...] = ()          # raw columns that must exist
    file_date: str | None = "2024-06-01"   # for visits-format files
    encoding: str | None = None            # the encoding the manifest must name
    first_url: str | None = None           # the first landed url, to check characters survived decoding


def _b(text: str) -> bytes:
    return text.encode("utf-8")


CASES = [
    Case("clean", _b(V + rows(3)), landed=3),
    Case("ragged_rows", _b(V + rows(1) + "e2,2024-06-01T10:00:00Z,v2\n" + "e3,t,v3,u,extra\n" + rows(1, 4)),
         landed=2, rejected=2, reject_lines=(3, 4),
         reasons=("expected 4, found 3", "expected 4, found 5")),
    Case("unclosed_quote_last_row", _b(V + rows(2) + 'e3,2024-06-01T10:00:00Z,v3,"https://x.example/3\n'),
         landed=2, rejected=1, reject_lines=(4,), reasons=("bad quoting",)),
    Case("unclosed_quote_swallows_rest", _b(V + rows(1) + 'e2,t,v2,"https://x\n' + rows(2, 3)),
         landed=1, rejected=1, reject_lines=(3,), reasons=("bad quoting",)),
    Case("quoted_newlines", _b(V + 'e1,t,v1,"https://x.example/a\nb"\n' + 'e2,t,v2,"multi\r\nline\nvalue"\n' + rows(1, 3)),
         landed=3),
    Case("utf8_bom", b"\xef\xbb\xbf" + _b(V + rows(2)), landed=2, columns=("event_id",)),
    Case("crlf_line_endings", _b((V + rows(3)).replace("\n", "\r\n")), landed=3),
    Case("cr_only_line_endings", _b((V + rows(3)).replace("\n", "\r")), landed=3),
    Case("mixed_lone_cr", _b(V + "e1,t,v1,u\r" + "e2,t,v2,u\n" + "e3,t,v3,u\r\n"), landed=3),
    Case("nul_bytes_in_values", _b(V + "e1,t,v\x001,u\n" + rows(1, 2)), landed=2),
    Case("empty_file", b"", status="failed", message="file is empty"),
    Case("whitespace_only_file", b"  \n\n \n", status="failed", message="file is empty"),
    Case("header_only", _b(V), landed=0),
    Case("header_only_no_newline", _b(V.rstrip("\n")), landed=0),
    Case("no_final_newline", _b(V + rows(2).rstrip("\n")), landed=2),
    Case("blank_lines_between_rows", _b(V + rows(1) + "\n\n" + rows(1, 2) + "\n"), landed=2),
    Case("whitespace_line", _b(V + rows(1) + "   \n" + rows(1, 2)),
         landed=2, rejected=1, reject_lines=(3,), reasons=("expected 4, found 1",)),
    Case("file_name_without_date", _b(V + rows(1)), file_name="shop_visits_latest.csv",
         status="failed", message="file name has no date"),
    Case("file_name_impossible_date", _b(V + rows(1)), file_name="shop_visits_20241341.csv",
         status="failed", message="is not a real date"),
    Case("file_name_two_dates", _b(V + rows(1)), file_name="shop_visits_20240601.csv_visits_20240602.csv",
         status="failed", message="more than one date"),
    Case("file_name_date_in_prefix_ignored", _b(V + rows(1)), file_name="shop_20240101_visits_20240602.csv",
         landed=1, file_date="2024-06-02"),
    Case("sql_in_header", _b('event_id,"a""; drop table loader.files; --",url\ne1,x,u\n'),
         format="generic_csv", file_name="h.csv", landed=1, columns=('a"; drop table loader.files; --',)),
    Case("quotes_and_unicode_in_custom_names", _b('event_id,"custom_""größe""",custom_🎁,custom_a b\ne1,42,x,y\n'),
         format="generic_csv", file_name="c.csv", landed=1, columns=('custom_"größe"', "custom_🎁", "custom_a b")),
    Case("duplicate_and_blank_header_names", _b("event_id,url,URL,,event_id\ne1,a,b,c,d\n"),
         format="generic_csv", file_name="d.csv", landed=1, columns=("url", "URL_2", "column_4", "event_id_2")),
    Case("missing_required_columns", _b("event_id,url\ne1,u\n"),
         status="failed", message="missing required column(s) visitor_id, event_time"),
    Case("required_columns_in_other_case_and_spaces", _b(" Event_ID ,EVENT_TIME,Visitor_Id, url \n" + rows(1)[:-1] + "\n"),
         landed=1),
    Case("blank_header", _b(",,,\n1,2,3,4\n"), status="failed", message="header line is blank"),
    Case("formula_values", _b(V + 'e1,=1+1,"=HYPERLINK(""http://evil"")",@SUM(A1)\n'), landed=1),
    Case("thousands_separators_and_decimal_commas", _b('order_id,revenue,tax\no1,"1,234.50","12,5"\no2,1 234,0\n'),
         format="generic_csv", file_name="orders.csv", landed=2),
    Case("dates_in_wrong_order", _b(V + "e1,01/06/2024 10:00,v1,u\ne2,2024-13-01T00:00:00Z,v2,u\n"), landed=2),
    Case("escaped_quotes", _b(V + 'e1,t,v1,"say ""hi"", then go"\n'), landed=1),
    Case("unicode_values", _b(V + "e1,t,v1,https://x.example/مرحبا/😀\n"), landed=1),
    Case("trailing_delimiter_everywhere", _b("a,b,\n1,2,\n3,4,\n"), format="generic_csv", file_name="t.csv",
         landed=2, columns=("a", "b", "column_3")),
    Case("semicolons_in_comma_file", _b("a;b;c\n1;2;3\n"), format="generic_csv", file_name="s.csv", landed=1),
    Case("binary_garbage", bytes(range(256)) * 8, format="generic_csv", file_name="g.csv",
         status="failed", message="cannot be parsed"),
    Case("invalid_utf8_row", _b(V) + b"e1,t,v1,caf\xe9\n" + _b(rows(1, 2)),
         landed=1, rejected=1, reject_lines=(2,), reasons=("not valid UTF-8",)),
    Case("ten_mb_cell", _b(V + "e1,t,v1,") + b"x" * (10 << 20) + b"\n" + _b(rows(1, 2)),
         landed=1, rejected=1, reject_lines=(2,), reasons=("longer than max_line_bytes",)),
    Case("ten_mb_cell_allowed", _b(V + "e1,t,v1,") + b"x" * (10 << 20) + b"\n" + _b(rows(1, 2)),
         options={"max_line_bytes": 16 << 20}, landed=2),
    Case("ten_thousand_columns", _b(",".join(f"c{i}" for i in range(10_000)) + "\n" + ",".join("1" * 10_000) + "\n"),
         format="generic_csv", file_name="wide.csv", status="failed", message="header has 10000 columns"),
    Case("ten_thousand_columns_allowed", _b(",".join(f"c{i}" for i in range(10_000)) + "\n" + ",".join("1" * 10_000) + "\n"),
         format="generic_csv", file_name="wide.csv", options={"max_columns": 10_000}, landed=1),
    Case("many_rows_small", _b(V + rows(20_000)), landed=20_000),
    Case("only_rejected_rows", _b(V + "a\nb\nc\n"), landed=0, rejected=3, reject_lines=(2, 3, 4),
         reasons=("found 1", "found 1", "found 1")),
    # encodings: everything lands as UTF-8, the manifest names what it was
    Case("utf16_with_bom", (V + rows(2)).encode("utf-16"), landed=2, encoding="utf-16-le"),
    Case("cp1252_explicit_encoding", CAFE.encode("cp1252"), options={"encoding": "cp1252"}, landed=2,
         encoding="cp1252", first_url="https://x.example/café–1"),
    Case("cp1252_auto_detected", CAFE.encode("cp1252"), options={"encoding": "auto"}, landed=2,
         encoding="cp1252", first_url="https://x.example/café–1"),
    Case("cp1252_without_encoding", CAFE.encode("cp1252"), landed=1, rejected=1, reject_lines=(2,),
         reasons=("not valid UTF-8",), encoding="utf-8"),
    Case("latin1_explicit_encoding", (V + "e1,t,v1,https://x.example/ça\n").encode("latin-1"),
         options={"encoding": "latin-1"}, landed=1, first_url="https://x.example/ça"),
    # compression
    Case("gzip", gzip.compress((V + rows(3)).encode()), file_name="shop_visits_20240601.csv.gz", landed=3),
    Case("truncated_gzip", gzip.compress((V + rows(3000)).encode())[:500], file_name="shop_visits_20240601.csv.gz",
         status="failed", message="gzip data is damaged"),
    Case("corrupt_zip", b"PK\x03\x04" + b"\x00" * 100, file_name="shop_visits_20240601.zip",
         status="failed", message="not a readable zip archive"),
    Case("zip_slip_member", zipped([("../../evil_visits_20240601.csv", V + rows(1))]),
         file_name="shop_visits_20240601.zip", status="failed", message="unsafe member name"),
    Case("zip_bomb", zipped([("shop_visits_20240601.csv", V + "x" * (200 << 20))]),
         file_name="shop_visits_20240601.zip", status="failed", message="max_compression_ratio"),
    Case("nested_zip", zipped([("inner.zip", zipped([("shop_visits_20240601.csv", V + rows(1))]))]),
         file_name="shop_visits_20240601.zip", status="failed", message="inside an archive is not unpacked"),
    # not RFC 4180, but unambiguous: kept verbatim rather than rejected
    Case("quote_in_unquoted_value", _b(V + 'e1,t,v1,ab"cd\n' + rows(1, 2)), landed=2),
]
