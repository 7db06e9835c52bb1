"""Every hostile case ends exactly as declared: no traceback, nothing lost."""

from __future__ import annotations

import re

import pytest

from .corpus import CASES, Case


@pytest.fixture(scope="module")
def landed(tmp_path_factory):
    """Land the whole corpus in one run: one source per case."""
    from conftest import MiniProject

    project = MiniProject(tmp_path_factory.mktemp("corpus") / "project")
    sources = []
    for i, case in enumerate(CASES):
        folder = project.data / f"c{i:02d}"
        folder.mkdir()
        (folder / case.file_name).write_bytes(case.content)
        sources.append(_source_yaml(f"c{i:02d}", case, folder))
    (project.root / "models" / "_corpus__sources.yml").write_text("version: 2\nsources:\n" + "".join(sources))
    result = project.cli("land")
    return project, result


def _source_yaml(name: str, case: Case, folder) -> str:
    extra = "".join(f"              {k}: {v}\n" for k, v in case.options.items())
    return (f"  - name: {name}\n    schema: raw_{name}\n    tables:\n      - name: rows\n        config:\n"
            f"          meta:\n            loader:\n              format: {case.format}\n"
            f"              location: \"{folder}/*\"\n{extra}")


def test_corpus_is_big_enough():
    assert len(CASES) >= 40


def test_run_never_shows_a_traceback(landed):
    project, result = landed
    assert "Traceback" not in result.err + result.out
    assert result.code == 1  # some cases fail at file level, by design
    # the loader's own tables survived the header full of SQL
    assert project.query("select count(distinct retailer) from loader.files")[0][0] == len(CASES)


@pytest.mark.parametrize("index", range(len(CASES)), ids=[c.name for c in CASES])
def test_case_outcome(landed, index):
    project, result = landed
    case = CASES[index]
    name = f"c{index:02d}"
    files = project.query(
        "select status, rows_read, rows_landed, rows_rejected, message, encoding from loader.files where retailer = ?",
        [name])
    assert len(files) == 1, files
    ((status, read, landed_rows, rejected, message, encoding),) = files
    assert status == case.status, message
    if case.status == "failed":
        assert case.message in message
        failure = [line for line in result.err.splitlines() if line.startswith("failed ") and f"/{name}/" in line]
        assert case.message in failure[0]
        assert failure and re.search(rf"{re.escape(case.file_name)}(/[^:]+)?(:\d+)?: ", failure[0]), result.err
        assert project.query(f"select count(*) from raw_{name}.rows")[0][0] == 0
        return
    assert (landed_rows, rejected) == (case.landed, case.rejected)
    if case.encoding:
        assert encoding == case.encoding
    if case.first_url:
        assert project.query(f"select url from raw_{name}.rows order by _line_number limit 1") == [(case.first_url,)]
    if case.format == "symbiosys_visits_csv":
        assert project.query("select file_date::varchar from loader.files where retailer = ?", [name]) == [(case.file_date,)]
    assert read == landed_rows + rejected
    assert project.query(f"select count(*) from raw_{name}.rows")[0][0] == case.landed
    rejects = project.query(
        "select line_number, reason, raw_text from loader.rejects where retailer = ? order by line_number", [name])
    assert [r[0] for r in rejects] == list(case.reject_lines)
    for (_, reason, raw_text), expected in zip(rejects, case.reasons):
        assert expected in reason
        assert raw_text  # the rejected record's text is kept
    columns = {r[0] for r in project.query(
        "select column_name from information_schema.columns where table_schema = ?", [f"raw_{name}"])}
    assert set(case.columns) <= columns
