"""Reject reasons: one code per reason, one module of texts (loaders/reasons.py), and the words
staging's macros write still known there, so the report's hints never fall back to a guess."""

from __future__ import annotations

import re

import pytest

from conftest import ROOT
from loaders import reasons
from loaders.report import _issue_of

STAGING_SQL = [*(ROOT / "macros").rglob("*.sql"), *(ROOT / "models" / "intermediate").rglob("*.sql")]


def _sql() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in STAGING_SQL)


@pytest.mark.parametrize("problem", [p for p in reasons.STAGING if p.code not in ("order_discarded",
                                                                                   "rows_not_adjacent")],
                         ids=lambda p: p.code)
def test_every_staging_problem_is_still_worded_so_by_the_macros(problem):
    assert problem.starts in _sql()


def test_order_level_reasons_of_the_validation_model_map_to_their_codes():
    discarded = _issue_of("order O3 (lines 4-5) discarded: 1 of its rows rejected")
    adjacent = _issue_of("order O9: rows not adjacent, lines 12-13 dropped")
    assert discarded[0] == adjacent[0] == "(order)"
    assert reasons.staging_problem(discarded[1]).code == "order_discarded"
    assert reasons.staging_problem(adjacent[1]).code == "rows_not_adjacent"
    sql = (ROOT / "models" / "intermediate" / "int_order_lines__validated.sql").read_text(encoding="utf-8")
    assert "' discarded: '" in sql and "': rows not adjacent, lines '" in sql


@pytest.mark.parametrize("problem, code", [
    ("required value missing", "required_missing"),
    ("not a valid e-mail address", "invalid_email"),      # before the wider `not a valid`
    ("not a valid timestamp (%Y-%m-%d)", "invalid_value"),
    ("not one of placed, paid (case sensitive)", "not_accepted"),
    ("not a complete URL (a path without a domain)", "incomplete_url"),
    ("something new", "other"),
])
def test_staging_problems_get_their_code(problem, code):
    assert reasons.staging_problem(problem).code == code


def test_codes_and_hints_are_unique_and_said_once():
    codes = [p.code for p in reasons.STAGING] + list(reasons.LOADER)
    assert len(codes) == len(set(codes))
    assert all(r.hint and r.text for r in reasons.LOADER.values())


def test_the_loader_paths_write_the_module_texts():
    assert reasons.wrong_field_count(17, 3) == "wrong number of fields: expected 17, found 3"
    assert reasons.wrong_field_count(4, 9, 8) == "wrong number of fields: expected 4, found 9 (more than max_columns, 8)"
    assert reasons.not_an_object("array") == "a JSON array, not an object (one object per line expected)"
    # no other module spells a reason out again
    for name in ("land.py", "records.py", "jsonlines.py"):
        text = (ROOT / "loaders" / name).read_text(encoding="utf-8")
        assert not re.search(r'"(wrong number of fields|bytes that are not valid UTF-8|record longer than)', text), name
    assert reasons.loader_reason("CAST ERROR") is reasons.PARSE_ERROR
