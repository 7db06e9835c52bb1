"""The loader core against a real DuckDB file, through the real CLI."""

from __future__ import annotations

VISITS_HEADER = "event_id,event_time,visitor_id,url"


def visits(rows: list[str]) -> str:
    return "\n".join([VISITS_HEADER, *rows]) + "\n"


def test_lands_every_row_with_lineage(mini):
    mini.declare("shop", {"visits": ("symbiosys_visits_csv", "shop_visits_*.csv")})
    mini.write("shop_visits_20240601.csv", visits([
        "e1,2024-06-01T10:00:00Z,v1,https://x.example/a",
        "e2,2024-06-01T10:01:00Z,v2,https://x.example/b",
    ]))
    result = mini.cli("land")
    assert result.code == 0, result.err
    rows = mini.query(
        "select event_id, _source_file, _file_date::varchar, _line_number, _retailer "
        "from raw_shop.visits order by _line_number"
    )
    assert rows == [
        ("e1", "drop/shop_visits_20240601.csv", "2024-06-01", 2, "shop"),
        ("e2", "drop/shop_visits_20240601.csv", "2024-06-01", 3, "shop"),
    ]
    # every value stays text in raw
    types = mini.query("select data_type from information_schema.columns where table_schema='raw_shop' and column_name='event_time'")
    assert types == [("VARCHAR",)]


def test_relanding_unchanged_folder_changes_nothing(mini):
    mini.declare("shop", {"visits": ("symbiosys_visits_csv", "shop_visits_*.csv")})
    mini.write("shop_visits_20240601.csv", visits(["e1,2024-06-01T10:00:00Z,v1,https://x.example/a"]))
    mini.write("shop_visits_20240602.csv", visits(["e2,2024-06-02T10:00:00Z,v2,https://x.example/b"]))
    assert mini.cli("land").code == 0
    before = mini.query("select * from loader.files order by file_name")
    raw_before = mini.query("select * from raw_shop.visits order by _source_file, _line_number")

    again = mini.cli("land")
    assert again.code == 0
    assert "0 landed, 2 unchanged, 0 failed" in again.err
    assert mini.query("select * from loader.files order by file_name") == before
    assert mini.query("select * from raw_shop.visits order by _source_file, _line_number") == raw_before

    status = mini.cli("status", "--files")
    assert status.code == 0
    assert "shop_visits_20240601.csv" in status.out and "landed" in status.out


def test_changed_file_replaces_its_rows_only(mini):
    mini.declare("shop", {"visits": ("symbiosys_visits_csv", "shop_visits_*.csv")})
    day1 = mini.write("shop_visits_20240601.csv", visits([
        "e1,2024-06-01T10:00:00Z,v1,https://x.example/a",
        "e2,2024-06-01T10:01:00Z,v2,https://x.example/b",
    ]))
    mini.write("shop_visits_20240602.csv", visits(["e9,2024-06-02T10:00:00Z,v9,https://x.example/z"]))
    assert mini.cli("land").code == 0
    first_load = mini.query("select load_id from loader.files where file_name like '%0601%'")[0][0]

    day1.write_text(visits(["e3,2024-06-01T11:00:00Z,v3,https://x.example/c"]))
    result = mini.cli("land")
    assert result.code == 0
    assert "1 landed, 1 unchanged" in result.err
    assert mini.query("select event_id from raw_shop.visits order by event_id") == [("e3",), ("e9",)]
    files = mini.query("select rows_read, rows_landed, load_id from loader.files where file_name like '%0601%'")
    assert files[0][:2] == (1, 1) and files[0][2] > first_load


def test_wrong_field_count_row_is_rejected_with_its_line(mini):
    mini.declare("shop", {"visits": ("symbiosys_visits_csv", "shop_visits_*.csv")})
    mini.write("shop_visits_20240601.csv", visits([
        "e1,2024-06-01T10:00:00Z,v1,https://x.example/a",
        "e2,2024-06-01T10:01:00Z,v2",
        "e3,2024-06-01T10:02:00Z,v3,https://x.example/c,extra",
        "e4,2024-06-01T10:03:00Z,v4,https://x.example/d",
    ]))
    result = mini.cli("land")
    assert result.code == 0
    assert "1 rejected" not in result.err and "2 rejected" in result.err
    assert mini.query("select event_id, _line_number from raw_shop.visits order by 2") == [("e1", 2), ("e4", 5)]
    rejects = mini.query("select line_number, reason, raw_text from loader.rejects order by 1")
    assert rejects == [
        (3, "wrong number of fields: expected 4, found 3", "e2,2024-06-01T10:01:00Z,v2"),
        (4, "wrong number of fields: expected 4, found 5", "e3,2024-06-01T10:02:00Z,v3,https://x.example/c,extra"),
    ]
    assert mini.query("select rows_read, rows_landed, rows_rejected from loader.files") == [(4, 2, 2)]


def test_line_numbers_stay_physical_with_quoted_newlines_and_blank_lines(mini):
    mini.declare("shop", {"visits": ("symbiosys_visits_csv", "shop_visits_*.csv")})
    mini.write("shop_visits_20240601.csv",
               VISITS_HEADER + "\n"
               'e1,2024-06-01T10:00:00Z,v1,"https://x.example/a\nsecond line"\n'
               "\n"
               "e2,2024-06-01T10:01:00Z,v2\n"
               "e3,2024-06-01T10:02:00Z,v3,https://x.example/c\n")
    assert mini.cli("land").code == 0
    assert mini.query("select event_id, _line_number from raw_shop.visits order by 2") == [("e1", 2), ("e3", 6)]
    assert mini.query("select line_number from loader.rejects") == [(5,)]


def test_bytes_that_are_not_utf8_are_rejected_not_lost(mini):
    mini.declare("shop", {"visits": ("symbiosys_visits_csv", "shop_visits_*.csv")})
    mini.write("shop_visits_20240601.csv",
               (VISITS_HEADER + "\ne1,2024-06-01T10:00:00Z,v1,https://x.example/caf\xe9\n").encode("latin-1")
               + b"e2,2024-06-01T10:00:00Z,v2,https://x.example/ok\n")
    assert mini.cli("land").code == 0
    assert mini.query("select event_id from raw_shop.visits") == [("e2",)]
    (reason,) = mini.query("select reason from loader.rejects where line_number = 2")[0]
    assert "not valid UTF-8" in reason


def test_tab_delimited_file_is_detected(mini):
    mini.declare("shop", {"visits": ("symbiosys_visits_csv", "shop_visits_*.csv")})
    mini.write("shop_visits_20240601.csv",
               "event_id\tevent_time\tvisitor_id\turl\ne1\t2024-06-01T10:00:00Z\tv1\thttps://x.example/a,b\n")
    assert mini.cli("land").code == 0
    assert mini.query("select url from raw_shop.visits") == [("https://x.example/a,b",)]
    assert mini.query("select delimiter from loader.files") == [("\t",)]


def test_file_name_without_a_real_date_fails_clearly_and_lands_nothing(mini):
    mini.declare("shop", {"visits": ("symbiosys_visits_csv", "shop_visits_*.csv")})
    mini.write("shop_visits_latest.csv", visits(["e1,2024-06-01T10:00:00Z,v1,https://x.example/a"]))
    mini.write("shop_visits_20240230.csv", visits(["e2,2024-06-01T10:00:00Z,v2,https://x.example/b"]))
    mini.write("shop_visits_20240601.csv", visits(["e3,2024-06-01T10:00:00Z,v3,https://x.example/c"]))
    result = mini.cli("land")
    assert result.code == 1
    assert "Traceback" not in result.err
    assert "shop_visits_latest.csv: file name has no date" in result.err
    assert "shop_visits_20240230.csv: file name date '20240230' is not a real date" in result.err
    assert mini.query("select event_id from raw_shop.visits") == [("e3",)]
    assert sorted(mini.query("select file_name, status from loader.files")) == [
        ("drop/shop_visits_20240230.csv", "failed"),
        ("drop/shop_visits_20240601.csv", "landed"),
        ("drop/shop_visits_latest.csv", "failed"),
    ]


def test_header_text_is_data_never_sql(mini):
    mini.declare("shop", {"visits": ("symbiosys_visits_csv", "shop_visits_*.csv")})
    evil = 'a"; drop table loader.files; --'
    mini.write("shop_visits_20240601.csv",
               f'event_id,"{evil.replace(chr(34), chr(34) * 2)}",event_id,visitor_id,url,event_time\n'
               'e1,x,dup,v1,https://x.example/a,2024-06-01T10:00:00Z\n')
    assert mini.cli("land").code == 0
    columns = [r[0] for r in mini.query(
        "select column_name from information_schema.columns where table_schema='raw_shop' order by ordinal_position")]
    assert evil in columns and "event_id_2" in columns
    assert mini.query("select count(*) from loader.files") == [(1,)]


def test_a_second_run_is_skipped_while_one_holds_the_lock(mini):
    import fcntl

    mini.declare("shop", {"visits": ("symbiosys_visits_csv", "shop_visits_*.csv")})
    mini.write("shop_visits_20240601.csv", visits(["e1,2024-06-01T10:00:00Z,v1,https://x.example/a"]))
    mini.warehouse.parent.mkdir(parents=True, exist_ok=True)
    with open(str(mini.warehouse) + ".lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = mini.cli("land")
    assert result.code == 75
    assert "skipped: another run is in progress" in result.err
    # released lock (even by a dead process): the next run proceeds
    assert mini.cli("land").code == 0


def test_unknown_format_and_source_are_clear_errors(mini):
    mini.declare("shop", {"visits": ("no_such_format", "x_*.csv")})
    result = mini.cli("land")
    assert result.code == 1 and "unknown format 'no_such_format'" in result.err and "Traceback" not in result.err
    mini.declare("shop", {"visits": ("symbiosys_visits_csv", "x_*.csv")})
    result = mini.cli("land", "nobody")
    assert result.code == 2 and "unknown source nobody" in result.err  # bad usage


def test_every_verb_has_help(mini):
    for verb in ([], ["land"], ["run"], ["status"], ["demo-data"], ["add-retailer"]):
        result = mini.cli(*verb, "--help")
        assert result.code == 0 and "Usage:" in result.out


def test_a_run_stopped_before_line_numbers_leaves_whole_rows_that_the_next_run_lands_again(mini, monkeypatch):
    """Rows and line numbers are two transactions (land.py says why); between them the file is `numbering`.

    A process that dies there (simulated: an exit the loader cannot clean up
    after, like kill -9) leaves whole rows the next run lands again; Ctrl-C
    there removes the rows and marks the file `cancelled`.
    """
    from click.testing import CliRunner

    from loaders import land
    from loaders.cli import cli

    mini.declare("shop", {"visits": ("symbiosys_visits_csv", "shop_visits_*.csv")})
    mini.write("shop_visits_20240601.csv", visits([f"e{n},2024-06-01T10:00:00Z,v{n},https://x.example/{n}"
                                                   for n in range(1, 6)] + ["e6,broken"]))

    def killed(*args, **kwargs):
        raise SystemExit(137)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.chdir(mini.root)
    monkeypatch.setattr(land, "_number_lines", killed)
    result = CliRunner().invoke(cli, ["--warehouse", str(mini.warehouse), "land"])
    assert result.exit_code == 137, result.output
    assert mini.query("select status, rows_landed, rows_rejected from loader.files") == [("numbering", 5, 1)]
    assert mini.query("select count(*), count(_line_number) from raw_shop.visits") == [(5, 0)]

    monkeypatch.setattr(land, "_number_lines", interrupted)
    result = CliRunner().invoke(cli, ["--warehouse", str(mini.warehouse), "land"])
    assert result.exit_code == 130, result.output
    assert mini.query("select status, rows_landed from loader.files") == [("cancelled", None)]
    assert mini.query("select count(*) from raw_shop.visits") == [(0,)]

    monkeypatch.undo()
    result = mini.cli("land")
    assert result.code == 0, result.err
    assert "1 landed, 0 unchanged" in result.err
    assert mini.query("select status, rows_landed, rows_rejected from loader.files") == [("landed", 5, 1)]
    assert mini.query("select event_id, _line_number from raw_shop.visits order by _line_number") == [
        (f"e{n}", n + 1) for n in range(1, 6)]
    assert mini.query("select line_number from loader.rejects") == [(7,)]


def test_an_interrupted_re_delivery_keeps_the_version_landed_before(mini, monkeypatch):
    """Ctrl-C while a new version of a file lands: the version in raw stays, a landed one as `landed`, one
    kept by a failed re-delivery (issue 25) as `cancelled` with has_previous_version still true."""
    from click.testing import CliRunner

    from loaders import land
    from loaders.cli import cli

    mini.declare("shop", {"visits": ("symbiosys_visits_csv", "shop_visits_*.csv")})
    first = [f"e{n},2024-06-01T10:00:00Z,v{n},https://x.example/{n}" for n in range(1, 6)]
    delivered = mini.write("shop_visits_20240601.csv", visits(first))
    assert mini.cli("land").code == 0

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    def land_interrupted():
        with monkeypatch.context() as patch:
            patch.chdir(mini.root)
            patch.setattr(land._Landing, "delimited", interrupted)
            result = CliRunner().invoke(cli, ["--warehouse", str(mini.warehouse), "land"])
        assert result.exit_code == 130, result.output

    def state():
        return (mini.query("select status, has_previous_version, rows_landed from loader.files"),
                mini.query("select count(*) from raw_shop.visits"))

    delivered.write_text(visits(first + ["e6,2024-06-01T10:00:00Z,v6,https://x.example/6"]))
    land_interrupted()
    assert state() == ([("landed", None, 5)], [(5,)])

    delivered.write_text("")   # a broken re-delivery: failed, the landed version kept
    assert mini.cli("land").code == 1
    assert state() == ([("failed", True, 5)], [(5,)])

    delivered.write_text(visits(first + ["e7,2024-06-01T10:00:00Z,v7,https://x.example/7"]))
    land_interrupted()
    assert state() == ([("cancelled", True, 5)], [(5,)])
    assert "cancelled; previous version kept" in " ".join(mini.cli("status", "--files").out.split())

    result = mini.cli("land")
    assert result.code == 0, result.err
    assert state() == ([("landed", None, 6)], [(6,)])


def test_status_shows_delivered_names_as_they_are(mini):
    # a file name is delivered text: brackets are not terminal markup
    mini.declare("shop", {"visits": ("symbiosys_visits_csv", "shop/*.csv")})
    mini.write("shop/shop_visits_20240601[bold].csv", visits(["e1,2024-06-01T10:00:00Z,v1,https://x.example/a"]))
    assert mini.cli("land").code == 1   # no date in that name: failed, named
    status = mini.cli("status", "--files")
    assert status.code == 0, status.err
    assert "shop_visits_20240601[bold].csv" in status.out


def test_an_interrupted_json_read_is_an_interrupt_not_a_broken_file(tmp_path):
    """Ctrl-C while DuckDB reads JSON lines (an API delivery, a collector segment): cancelled, not failed."""
    import duckdb
    import pytest

    from loaders.jsonlines import parse_json_lines

    class Interrupted:
        def execute(self, *args, **kwargs):
            raise duckdb.InterruptException("Query interrupted")

    path = tmp_path / "events.jsonl"
    path.write_text('{"event_id": "e1"}\n')
    with pytest.raises(KeyboardInterrupt):
        parse_json_lines(Interrupted(), str(path), 1 << 20)
