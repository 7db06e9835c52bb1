"""Issue 25: hostile deliveries, each built here and landed through the real CLI in one shared run.

Every check reads the delivered file with its own code (Python's csv or
zipfile modules, plain line splitting) and queries the warehouse: each record
is either landed (with its line) or rejected (with its line and reason).
A second run re-delivers some files. Points needing the marts, a tmpfs or
many encodings have their own modules (test_redelivery_marts, test_disk_full,
test_encodings).
"""

from __future__ import annotations

import csv
import io
import os
import re
import signal
import stat
import subprocess
import sys
import textwrap
import warnings
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, MiniProject

from .corpus import V, rows

VISITS = "symbiosys_visits_csv"
ESC = "\x1b"
INJECTED_NAME = f"shop_{ESC}[2J[blink]_visits_20240601.csv"
WIDE_COLUMNS = 50_000
PATHOLOGICAL_FIELDS = 200_001


def zipped(members: list[tuple[str, str]]) -> bytes:
    """An archive as a tool that appends members writes it: names may repeat; `link:NAME` is a symbolic link."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore")   # zipfile warns about a duplicate name, and writes it
        for name, data in members:
            if name.startswith("link:"):
                info = zipfile.ZipInfo(name[len("link:"):])
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                archive.writestr(info, data)
            else:
                archive.writestr(name, data)
    return buffer.getvalue()


# retailer -> (format, location glob relative to the drop folder, extra meta.loader lines)
SOURCES = {
    "zipdup": (VISITS, "zipdup/*.zip", {}),
    "zipredo": (VISITS, "zipredo/*.zip", {}),
    "endings": (VISITS, "endings/*.csv", {}),
    "wide": ("generic_csv", "wide/*.csv", {}),
    "twins": (VISITS, "twins/*.csv", {}),
    "links": (VISITS, "links/*", {}),
    "nothing": (VISITS, "nothing/*.csv", {}),
    "missing": (VISITS, "missing_folder/*.csv", {}),
    "patho": (VISITS, "patho/*.csv", {}),
    "secret": (VISITS, "secret/*.csv", {"storage": "{password: hunter2}"}),
    "inject": (VISITS, "inject/*.csv", {}),
    "redo": (VISITS, "redo/*.csv", {}),
}


def _sources_yaml(project: MiniProject) -> str:
    out = ["version: 2", "sources:"]
    for retailer, (fmt, glob, extra) in SOURCES.items():
        out += [f"  - name: {retailer}", f"    schema: raw_{retailer}", "    tables:", "      - name: rows",
                "        config:", "          meta:", "            loader:", f"              format: {fmt}",
                f"              location: \"{project.data / glob}\""]
        out += [f"              {k}: {v}" for k, v in extra.items()]
    return "\n".join(out) + "\n"


# Files with line endings DuckDB's reader refuses as a whole (25.3).
STRAY_CR = V + rows(2) + "e3,2024-06-01T10:00:00Z,v3,https://x.example/3\r?ref=mail\n" + rows(2, 4)
MIXED = V + rows(1) + rows(1, 2).replace("\n", "\r") + rows(1, 3).replace("\n", "\r\n") + rows(1, 4)
BINARY_TAIL = (V + rows(3)).encode() + bytes(b for b in range(256) if b != ord('"')) * 2


def _stale_and_live_folders(tmpdir: Path) -> tuple[Path, Path, Path, subprocess.Popen]:
    """Private folders as runs leave them: one of a killed run, one of a live run, one not ours."""
    code = textwrap.dedent("""
        import sys, time
        from loaders.tempdirs import private_folder
        with private_folder() as path:
            print(path, flush=True)
            time.sleep(600)
    """)
    env = {**os.environ, "TMPDIR": str(tmpdir), "PYTHONPATH": str(ROOT)}
    killed = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env)
    stale = Path(killed.stdout.readline().strip())
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    live = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env)
    alive = Path(live.stdout.readline().strip())
    foreign = tmpdir / "retail-imports-made-by-someone-else"
    foreign.mkdir()
    return stale, alive, foreign, live


@pytest.fixture(scope="module")
def landed(tmp_path_factory):
    """Round 1 lands every hostile delivery; round 2 re-delivers the `redo` and `zipredo` files broken."""
    project = MiniProject(tmp_path_factory.mktemp("hostile") / "project")
    (project.root / "models" / "_hostile__sources.yml").write_text(_sources_yaml(project))
    data = project.data
    for folder in ("zipdup", "zipredo", "endings", "wide", "twins", "links", "nothing", "patho", "secret",
                   "inject", "redo"):
        (data / folder).mkdir()

    project.write("zipdup/shop_visits_20240601.zip", zipped([
        ("shop_visits_20240601.csv", V + rows(3)), ("shop_visits_20240601.csv", V + rows(3, 4))]))
    project.write("zipredo/shop_visits_20240601.zip", zipped([
        ("a_visits_20240601.csv", V + rows(2)), ("b_visits_20240601.csv", V + rows(2, 3))]))

    project.write("endings/shop_visits_20240601.csv", STRAY_CR.encode())
    project.write("endings/shop_visits_20240602.csv", MIXED.encode())
    project.write("endings/shop_visits_20240603.csv", BINARY_TAIL)

    project.write("wide/long.csv", "a," + "n" * 100_000 + ",b\n1,2,3\n4,5,6\n")
    project.write("wide/wide.csv", ",".join(f"c{i}" for i in range(WIDE_COLUMNS)) + "\n" + ",".join(["1"] * WIDE_COLUMNS)
                  + "\n")

    project.write("twins/shop_visits_20240601.csv", V + rows(5))
    project.write("twins/shop_visits_20240602.csv", V + rows(5))          # yesterday's file sent again
    project.write("twins/shop_visits_20240603.csv", V)                    # no visits that day...
    project.write("twins/shop_visits_20240604.csv", V)                    # ...nor the next: both land

    outside = project.root / "outside"
    outside.mkdir()
    (outside / "secret.csv").write_text(V + rows(2, 900))                # landable, were the link followed
    (data / "links" / "archive").mkdir()
    (data / "links" / "archive" / "kept.csv").write_text(V + rows(2, 100))
    os.symlink(outside / "secret.csv", data / "links" / "shop_visits_20240601.csv")
    os.symlink(data / "links" / "archive" / "kept.csv", data / "links" / "shop_visits_20240602.csv")
    project.write("links/shop_visits_20240603.zip", zipped([
        ("shop_visits_20240603.csv", V + rows(1, 200)), ("link:passwd_visits_20240603.csv", "/etc/passwd")]))

    project.write("patho/shop_visits_20240601.csv",
                  V + rows(1) + ",".join(["x"] * PATHOLOGICAL_FIELDS) + "\n" + rows(1, 3))
    project.write("secret/shop_visits_20240601.csv", V + rows(1))
    project.write(f"inject/{INJECTED_NAME}", V + rows(1)
                  + f"e2,t,v2,{ESC}]0;pwned{chr(7)}{ESC}[31m[bold red]FIRE[/bold red],extra\n"
                  + f"[link=file:///etc/passwd]click[/link],{ESC}[2J\n")
    project.write("redo/shop_visits_20240601.csv", V + rows(3))
    project.write("redo/shop_visits_20240602.csv", V + rows(3, 10))

    tmpdir = project.root / "tmp"
    tmpdir.mkdir()
    stale, alive, foreign, live = _stale_and_live_folders(tmpdir)
    try:
        first = project.cli("land", env={"TMPDIR": str(tmpdir)})
        folders = {"stale": stale.exists(), "alive": alive.exists(), "foreign": foreign.exists()}
    finally:
        live.kill()
        live.wait()

    (data / "redo" / "shop_visits_20240601.csv").write_text("")                     # re-delivered empty
    (data / "redo" / "shop_visits_20240602.csv").write_text("event_id,url\ne1,u\n")  # without required columns
    (data / "zipredo" / "shop_visits_20240601.zip").write_bytes(zipped([
        ("a_visits_20240601.csv", V + rows(2)), ("a_visits_20240601.csv", V + rows(2, 50))]))
    second = project.cli("land", "redo", "zipredo")
    return project, first, second, folders


def _lines(project, retailer, file_part) -> tuple[list[int], list[tuple[int, str]]]:
    """(landed line numbers, rejected (line, reason)) of the file whose name ends with file_part."""
    landed = [r[0] for r in project.query(
        f"select _line_number from raw_{retailer}.rows where _source_file like ? order by 1", [f"%{file_part}"])]
    rejected = project.query("select line_number, reason from loader.rejects where retailer = ? and source_file "
                             "like ? order by 1", [retailer, f"%{file_part}"])
    return landed, rejected


def _records(path: Path) -> list[int]:
    """First line of each record after the header, as Python's csv module reads the file."""
    starts = []
    with open(path, newline="", encoding="utf-8", errors="replace") as handle:
        reader = csv.reader(handle)
        while True:
            start = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            if row:
                starts.append(start)
    return starts[1:]


def _accounted(project, retailer, path: Path, file_part: str | None = None) -> None:
    """Every record of the file is landed or rejected, once, and the manifest reconciles."""
    landed, rejected = _lines(project, retailer, file_part or path.name)
    assert sorted(landed + [line for line, _ in rejected]) == _records(path)
    assert all(reason for _, reason in rejected)
    ((read, rows_landed, rows_rejected),) = project.query(
        "select rows_read, rows_landed, rows_rejected from loader.files where retailer = ? and file_name like ?",
        [retailer, f"%{file_part or path.name}"])
    assert (read, rows_landed, rows_rejected) == (len(landed) + len(rejected), len(landed), len(rejected))


def test_the_run_ends_cleanly_with_failures_named(landed):
    project, first, _, _ = landed
    assert "Traceback" not in first.err + first.out
    assert first.code == 1   # some deliveries fail by design; each is named
    assert "internal error" not in first.err


# 25.1 -----------------------------------------------------------------------------------------------------------
def test_zip_with_two_members_of_one_name_is_refused_whole(landed):
    project, first, _, _ = landed
    path = project.data / "zipdup" / "shop_visits_20240601.zip"
    names = [m.filename for m in zipfile.ZipFile(path).infolist()]
    assert names == ["shop_visits_20240601.csv", "shop_visits_20240601.csv"]
    ((status, message),) = project.query("select status, message from loader.files where retailer = 'zipdup'")
    assert status == "failed" and "more than one member named 'shop_visits_20240601.csv'" in message
    assert project.query("select count(*) from raw_zipdup.rows") == [(0,)]
    assert re.search(r"failed .*zipdup/shop_visits_20240601\.zip: archive holds more than one member", first.err)


def test_zip_redelivered_with_duplicate_names_keeps_its_previous_members(landed):
    project, _, second, _ = landed
    assert "zipredo" in second.err and "more than one member named" in second.err
    members = dict(project.query(
        "select file_name, status from loader.files where retailer = 'zipredo' order by file_name"))
    assert sorted(members.values()) == ["failed", "landed", "landed"], members
    # the two members of the first delivery are whole, the second delivery added nothing
    assert project.query("select count(*), count(distinct event_id) from raw_zipredo.rows") == [(4, 4)]


# 25.3 -----------------------------------------------------------------------------------------------------------
def _universal_lines(data: bytes) -> list[bytes]:
    return re.split(rb"\r\n|\r|\n", data)


def test_stray_carriage_return_keeps_the_record_whole_and_lands_the_rest(landed):
    project, _, _, _ = landed
    landed_lines, rejected = _lines(project, "endings", "20240601.csv")
    # lines as an editor shows them: the stray CR ends line 4, so e4 and e5 are on lines 6 and 7
    assert landed_lines == [2, 3, 4, 6, 7] and rejected == []
    assert project.query("select url from raw_endings.rows where event_id = 'e3' and _source_file like '%0601.csv'") == [
        ("https://x.example/3\r?ref=mail",)]
    assert len(_universal_lines(STRAY_CR.encode())) - 2 == 6   # header + 6 lines, last one empty


def test_mixed_line_endings_land_every_record(landed):
    project, _, _, _ = landed
    landed_lines, rejected = _lines(project, "endings", "20240602.csv")
    expected = [i + 1 for i, line in enumerate(_universal_lines(MIXED.encode())) if line and i > 0]
    assert landed_lines == expected == [2, 3, 4, 5] and rejected == []
    _accounted(project, "endings", project.data / "endings" / "shop_visits_20240602.csv")


def test_binary_tail_rejects_its_lines_and_lands_the_good_records(landed):
    project, _, _, _ = landed
    landed_lines, rejected = _lines(project, "endings", "20240603.csv")
    lines = _universal_lines(BINARY_TAIL)
    good = [i + 1 for i, line in enumerate(lines) if i > 0 and line.count(b",") == 3 and line.isascii()]
    bad = [i + 1 for i, line in enumerate(lines) if i > 0 and line and i + 1 not in good]
    assert landed_lines == good == [2, 3, 4]
    assert [line for line, _ in rejected] == bad and len(bad) >= 4
    assert all(re.search(r"wrong number of fields|not valid UTF-8", reason) for _, reason in rejected)
    ((status, message),) = project.query("select status, message from loader.files where file_name like "
                                         "'%endings/shop_visits_20240603.csv'")
    assert status == "landed" and "read record by record" in message


# 25.6 -----------------------------------------------------------------------------------------------------------
def test_a_100000_character_header_name_lands_every_row(landed):
    project, _, _, _ = landed
    columns = [r[0] for r in project.query(
        "select column_name from information_schema.columns where table_schema = 'raw_wide' "
        "and not starts_with(column_name, '_') order by ordinal_position")]
    assert columns[:3] == ["a", "n" * 100_000, "b"]
    assert project.query(f'select a, "{"n" * 100_000}", b from raw_wide.rows order by _line_number') == [
        ("1", "2", "3"), ("4", "5", "6")]
    _accounted(project, "wide", project.data / "wide" / "long.csv")


def test_a_50000_column_header_is_refused_with_its_true_width(landed):
    project, first, _, _ = landed
    ((status, message),) = project.query("select status, message from loader.files where file_name like '%wide.csv'")
    assert status == "failed" and f"header has {WIDE_COLUMNS} columns, more than max_columns (2048)" in message
    assert f"wide.csv:1: header has {WIDE_COLUMNS} columns" in first.err


# 25.7 -----------------------------------------------------------------------------------------------------------
def test_identical_content_under_a_new_name_is_skipped_naming_the_earlier_file(landed):
    project, first, _, _ = landed
    manifest = {name.rsplit("/", 1)[-1]: (status, message) for name, status, message in project.query(
        "select file_name, status, message from loader.files where retailer = 'twins'")}
    assert manifest["shop_visits_20240601.csv"][0] == "landed"
    status, message = manifest["shop_visits_20240602.csv"]
    assert status == "duplicate" and "same content as" in message and "shop_visits_20240601.csv" in message
    assert re.search(r"duplicate .*twins/shop_visits_20240602\.csv: same content as .*twins/shop_visits_20240601\.csv",
                     first.err)
    # not doubled: five events, each once
    assert project.query("select count(*), count(distinct event_id) from raw_twins.rows") == [(5, 5)]
    # files with no rows may well be identical from day to day: they land (nothing to double)
    assert manifest["shop_visits_20240603.csv"][0] == manifest["shop_visits_20240604.csv"][0] == "landed"


def test_a_duplicate_stays_skipped_on_the_next_run(landed):
    project, _, _, _ = landed
    again = project.cli("land", "twins")
    assert again.code == 0, again.err
    assert project.query("select count(*) from raw_twins.rows") == [(5,)]
    assert project.query("select status from loader.files where file_name like '%twins/shop_visits_20240602.csv'") \
        == [("duplicate",)]


# 25.8 -----------------------------------------------------------------------------------------------------------
def test_a_link_out_of_the_location_folder_is_refused(landed):
    project, first, _, _ = landed
    link = project.data / "links" / "shop_visits_20240601.csv"
    assert link.is_symlink() and Path(os.readlink(link)).parent == project.root / "outside"
    ((status, message),) = project.query(
        "select status, message from loader.files where file_name like '%links/shop_visits_20240601.csv'")
    assert status == "failed" and "is a link to" in message and "outside the location's folder" in message
    assert re.search(r"failed .*links/shop_visits_20240601\.csv: is a link to .*outside/secret\.csv", first.err)
    assert project.query("select count(*) from raw_links.rows where event_id like 'e90%'") == [(0,)]


def test_a_link_to_a_file_inside_the_location_folder_lands(landed):
    project, _, _, _ = landed
    assert project.query("select event_id from raw_links.rows where _source_file like '%20240602.csv' "
                         "order by _line_number") == [("e100",), ("e101",)]


def test_a_link_inside_an_archive_is_refused_and_its_sibling_lands(landed):
    project, _, _, _ = landed
    members = dict(project.query("select file_name, status || ': ' || coalesce(message, '') from loader.files "
                                 "where retailer = 'links' and file_name like '%.zip/%'"))
    assert any(name.endswith("passwd_visits_20240603.csv") and "is a symbolic link: not unpacked" in state
               for name, state in members.items()), members
    assert project.query("select event_id from raw_links.rows where _source_file like '%.zip/%'") == [("e200",)]


# 25.9 -----------------------------------------------------------------------------------------------------------
def test_status_escapes_control_characters_and_markup_from_deliveries(landed):
    project, first, _, _ = landed
    assert ESC not in first.err and ESC not in first.out
    shown = project.cli("status", "--rejects")
    assert shown.code == 0, shown.err
    out = shown.out + shown.err
    assert ESC not in out and "\x07" not in out
    flat = _flat(out)
    assert r"\x1b]0;pwned\x07\x1b[31m[boldred]FIRE[/boldred]" in flat          # shown literally...
    assert r"[link=file:///etc/passwd]click[/link]" in flat                    # ...markup included
    assert r"shop_\x1b[2J[blink]_visits_20240601.csv" in flat                  # and the file name
    # the rejected rows themselves are kept exactly as delivered
    assert project.query("select line_number, raw_text from loader.rejects where retailer = 'inject' order by 1") == [
        (3, f"e2,t,v2,{ESC}]0;pwned\x07{ESC}[31m[bold red]FIRE[/bold red],extra"),
        (4, f"[link=file:///etc/passwd]click[/link],{ESC}[2J")]


def _flat(text: str) -> str:
    """A rich table's text without its borders and wrapping: what a reader sees, cell by cell."""
    return re.sub(r"[\s│┃|]+", "", text)


# 25.11 ----------------------------------------------------------------------------------------------------------
def test_a_location_matching_nothing_says_so(landed):
    project, first, _, _ = landed
    assert re.search(r"nothing found nothing\.rows: no file matches .*/nothing/\*\.csv", first.err)


def test_a_collector_source_without_segments_yet_is_not_said_to_match_no_file(mini):
    """'nothing found' names a glob only for file sources: a collector's spool has none to name."""
    mini.declare("webshop", {"visits": (VISITS, "spool/webshop/visits")}, extra={"source": "event_api"})
    result = mini.cli("land")
    assert result.code == 0, result.err
    assert "nothing found webshop.visits: no delivery yet (source: event_api)" in _flat_line(result.err)
    assert "no file matches" not in result.err


def _flat_line(text: str) -> str:
    return " ".join(text.split())


def test_a_missing_folder_fails_its_source(landed):
    project, first, _, _ = landed
    assert re.search(r"failed missing\.rows: folder .*/missing_folder does not exist", first.err)
    alone = project.cli("land", "missing")
    assert alone.code == 1 and "missing_folder does not exist" in alone.err


# 25.13 ----------------------------------------------------------------------------------------------------------
def test_a_line_of_200001_fields_is_rejected_before_parsing_and_the_rest_lands(landed):
    project, _, _, _ = landed
    path = project.data / "patho" / "shop_visits_20240601.csv"
    landed_lines, rejected = _lines(project, "patho", path.name)
    assert landed_lines == [2, 4]
    assert rejected == [(3, f"wrong number of fields: expected 4, found {PATHOLOGICAL_FIELDS} "
                            "(more than max_columns, 2048)")]
    # the reject keeps the start of the line, bounded
    ((raw_length,),) = project.query("select length(raw_text) from loader.rejects where retailer = 'patho'")
    assert 1000 < raw_length <= 64 << 10
    _accounted(project, "patho", path)


# 25.14 ----------------------------------------------------------------------------------------------------------
def test_a_literal_secret_fails_only_its_source(landed):
    project, first, _, _ = landed
    assert re.search(r"failed secret\.rows: .*option 'password' holds a literal secret", first.err)
    assert project.query("select count(*) from raw_patho.rows") == [(2,)]   # the others landed
    assert not project.query("select * from information_schema.tables where table_schema = 'raw_secret'")


def test_unknown_source_names_are_bad_usage(landed):
    project, _, _, _ = landed
    unknown = project.cli("land", "nobody")
    assert unknown.code == 2 and "unknown source nobody" in unknown.err
    named = project.cli("land", "secret")
    assert named.code == 1 and "holds a literal secret" in named.err


# 25.15 ----------------------------------------------------------------------------------------------------------
def test_stale_private_folders_of_killed_runs_are_removed(landed):
    _, _, _, folders = landed
    assert folders == {"stale": False, "alive": True, "foreign": True}


# 25.2 (landing side; tests/hostile/test_redelivery_marts.py checks the marts) -----------------------------------
def test_a_failed_redelivery_keeps_the_previous_version(landed):
    project, _, second, _ = landed
    assert second.code == 1
    assert re.search(r"failed .*redo/shop_visits_20240601\.csv: file is empty; previous version kept \(3 rows",
                     second.err)
    assert re.search(r"failed .*redo/shop_visits_20240602\.csv:1: missing required column.*previous version kept",
                     second.err)
    manifest = project.query(
        "select file_name, status, rows_read, rows_landed, has_previous_version, load_id from loader.files "
        "where retailer = 'redo' order by file_name")
    assert [(status, read, rows, kept) for _, status, read, rows, kept, _ in manifest] == [
        ("failed", 3, 3, True), ("failed", 3, 3, True)]
    raw = project.query("select _source_file, count(*), min(_load_id) from raw_redo.rows group by 1 order by 1")
    assert [(name, n, load) for name, _, _, n, _, load in manifest] == raw
    shown = project.cli("status", "--files")
    assert _flat(shown.out).count("failed;previousversionkept") >= 2
