"""The canonical line-item statuses are declared once and every reader gets the same list."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from loaders.errors import LoaderError
from loaders.formats import load_format, read_declaration

ROOT = Path(__file__).resolve().parents[2]
HOME = ROOT / "macros" / "rules" / "line_item_statuses.sql"


def test_the_kevel_format_accepts_the_declared_statuses():
    statuses = read_declaration(HOME)
    assert statuses == ["placed", "paid", "fulfilled", "refunded", "cancelled"]   # spec 003, lineItem_status
    assert load_format(ROOT, "kevel_orders_csv").column("line_item_status").accepted == tuple(statuses)


# order_status_from_lines checks the vocabulary holds the five words its CASE is written with
CHECKS_THE_LIST = {HOME, ROOT / "macros" / "orders" / "order_status_from_lines.sql"}


def test_no_other_file_lists_the_statuses():
    # a YAML or Jinja list literal of the canonical statuses is a second copy of the vocabulary
    copy = re.compile(r"\[\s*['\"]?placed['\"]?,\s*['\"]?paid['\"]?,")
    copies = [str(p.relative_to(ROOT)) for folder in ("macros", "models", "seeds", "tests/dbt")
              for p in (ROOT / folder).rglob("*") if p.suffix in (".sql", ".yml", ".py", ".csv")
              and p not in CHECKS_THE_LIST and copy.search(p.read_text(encoding="utf-8"))]
    assert copies == []


def test_an_unknown_vocabulary_is_named(tmp_path):
    formats = tmp_path / "macros" / "formats"
    formats.mkdir(parents=True)
    (formats / "odd.sql").write_text(
        "{% macro odd() %}{% set spec %}\nname: odd\nentity: orders\nfile: {delimiter: ','}\n"
        "columns:\n  - {name: status, type: string, accepted: order_moods}\n{% endset %}{% endmacro %}\n")
    with pytest.raises(LoaderError, match=r"accepted names 'order_moods', but macros/rules/order_moods.sql"):
        load_format(tmp_path, "odd")
