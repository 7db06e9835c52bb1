"""Look through the whole warehouse for personal data left in plaintext.

Every text column (lists and JSON included) of every table and view of every
schema is searched for values that look like an e-mail address or an
international phone number (`+` and 8 to 15 digits): what no table should
hold once the loader has hashed them. Names and addresses have no pattern; the
format declarations (README "Personal data") are what drops them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .pii import EMAIL_IN_TEXT
from .sql import ident, literal

# RE2 (DuckDB): the phone numbers mask_text finds with a +, without its look-behind
PHONE = r"(^|[^0-9A-Za-z+])[+][0-9][0-9 ().-]{6,}[0-9]([^0-9A-Za-z]|$)"
_TEXT_TYPES = ("VARCHAR", "JSON")


@dataclass(frozen=True)
class Hit:
    relation: str        # schema.table
    column: str
    emails: int          # rows whose value holds an e-mail address
    phones: int          # rows whose value holds a phone number


def scan(con) -> list[Hit]:
    columns: dict[tuple[str, str], list[str]] = {}
    for schema, table, column, data_type in con.execute(
            "select table_schema, table_name, column_name, data_type from information_schema.columns "
            "where table_catalog = current_database() order by table_schema, table_name, ordinal_position"
    ).fetchall():
        if data_type.upper().startswith(_TEXT_TYPES) or data_type.endswith("[]") or data_type.upper().startswith(
                ("STRUCT", "MAP")):
            columns.setdefault((schema, table), []).append(column)
    hits = []
    for (schema, table), names in columns.items():
        counts = ", ".join(
            f"count(*) filter (where regexp_matches(cast({ident(c)} as varchar), {literal(EMAIL_IN_TEXT.pattern)})), "
            f"count(*) filter (where regexp_matches(cast({ident(c)} as varchar), {literal(PHONE)}))"
            for c in names)
        row = con.execute(f"select {counts} from {ident(schema)}.{ident(table)}").fetchone()
        for i, name in enumerate(names):
            if row[2 * i] or row[2 * i + 1]:
                hits.append(Hit(f"{schema}.{table}", name, row[2 * i], row[2 * i + 1]))
    return hits
