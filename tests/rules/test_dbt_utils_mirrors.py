"""Macros that do what a dbt_utils macro does carry its name and arguments, so the package can replace them.

The signatures below are dbt_utils' (macros/sql/union.sql, deduplicate.sql,
generic_tests/unique_combination_of_columns.sql, expression_is_true.sql).
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DBT_UTILS = {
    ("test", "unique_combination_of_columns"): "model, combination_of_columns, quote_columns=false",
    ("test", "expression_is_true"): "model, expression, column_name=none",
    ("macro", "deduplicate"): "relation, partition_by, order_by",
    ("macro", "union_relations"): "relations, column_override=none, include=[], exclude=[], "
                                  "source_column_name='_dbt_source_relation', where=none",
}
# the tests' YAML arguments, without the model and column dbt passes itself
YAML_ARGUMENTS = {"unique_combination_of_columns": {"combination_of_columns", "quote_columns"},
                  "expression_is_true": {"expression"}}
DEFINITION = re.compile(r"\{%-?\s*(macro|test)\s+(\w+)\s*\((.*?)\)\s*-?%\}", re.S)


def definitions() -> dict[tuple[str, str], str]:
    found = {}
    for path in (ROOT / "macros").rglob("*.sql"):
        for kind, name, args in DEFINITION.findall(path.read_text(encoding="utf-8")):
            found[(kind, name)] = " ".join(args.split())
    return found


def test_each_mirror_has_dbt_utils_name_and_arguments():
    found = definitions()
    for key, arguments in DBT_UTILS.items():
        assert found.get(key) == arguments, key


def test_yaml_calls_the_tests_with_dbt_utils_arguments():
    calls = []
    for path in list((ROOT / "models").rglob("*.yml")) + list((ROOT / "seeds").rglob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for node in (doc.get("models") or []) + (doc.get("seeds") or []):
            tests = list(node.get("data_tests") or [])
            for column in node.get("columns") or []:
                tests += column.get("data_tests") or []
            for test in tests:
                if isinstance(test, dict):
                    for name, body in test.items():
                        if name in YAML_ARGUMENTS:
                            calls.append((path.name, node["name"], name, set((body.get("arguments") or {}))))
    assert len(calls) > 20
    for where, model, name, arguments in calls:
        assert arguments <= YAML_ARGUMENTS[name], (where, model, name, arguments)
        assert arguments, (where, model, name)
