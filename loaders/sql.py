"""Quoting for identifiers and literals we put into DuckDB SQL ourselves.

Header names come from delivered files, so they are data, never SQL: every
identifier goes through `ident` and every value through a bound parameter.
"""


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def qualified(schema: str, table: str) -> str:
    return f"{ident(schema)}.{ident(table)}"


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
