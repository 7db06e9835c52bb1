"""Per-event answers for the client: which events break their format's contract, and why.

The format declaration (required, type, accepted values, one-of-required
groups) is the contract, and staging (`stage_source`, `rejection_reason`)
stays its judge: every event is spooled as sent, good or bad, and a bad one
is flagged there like a bad row of a file. This module only tells the
client at once, with staging's own wording. It must never flag an event
staging would accept, so it flags only what it is sure of: a value the
quick check cannot place is asked of DuckDB with the cast staging uses,
and a column with options the quick check does not model (`format`,
`extract`, `formats`, a transform, a source's field transformations) is
left to staging.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime

import orjson

from ..formats import Column, Format

# Options that change how staging reads a column beyond its type.
_UNMODELLED = {"format", "extract", "formats", "transform", "timezone", "default_protocol"}
_INTEGER = re.compile(r"[+-]?[0-9]+")
_PLAIN_NUMBER = re.compile(r"[+-]?([0-9]{1,15}(\.[0-9]{0,6})?|\.[0-9]{1,6})")
_ISO_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?(Z|[+-]\d{2}(:?\d{2})?)?")
_INT64 = (-(2 ** 63), 2 ** 63 - 1)


@dataclass(frozen=True)
class _Check:
    key: str               # the event field, lower-cased (staging matches names case-insensitively)
    label: str             # how staging names it in a reason
    required: bool
    type: str | None       # checked type, None when left to staging
    accepted: tuple[str, ...] | None


class Contract:
    """The checks of one source's format, built once, applied to every event."""

    def __init__(self, fmt: Format, options: dict):
        self.format_name = fmt.name
        judged = not options.get("transformations")   # renamed / derived fields: staging decides
        self._checks = tuple(_check(c) for c in fmt.columns if c.source and judged)
        sources = {c.name: c.source.lower() for c in fmt.columns if c.source}
        self._groups = tuple(
            (tuple(sources[n] for n in group), " or ".join(group))
            for group in (fmt.extra.get("one_of_required") or []) if judged and all(n in sources for n in group)
        )

    def problems(self, event: dict) -> list[str]:
        """Staging's reasons for this event (empty when it is valid)."""
        values = {str(k).strip().lower(): v for k, v in event.items()}
        found = []
        for check in self._checks:
            text = _text(values.get(check.key))
            if text is None:
                if check.required:
                    found.append(f"{check.label}: required value missing")
                continue
            if check.type and not _valid(check.type, text):
                found.append(f"{check.label}: not a valid {check.type}")
            if check.accepted and text.lower() not in check.accepted:
                found.append(f"{check.label}: not one of {', '.join(check.accepted)}")
        for keys, label in self._groups:
            if all(_text(values.get(k)) is None for k in keys):
                found.append(f"{label}: one is required")
        return found


def _check(column: Column) -> _Check:
    modelled = not (_UNMODELLED & set(column.options))
    return _Check(
        key=column.source.lower(),
        label=column.source,
        required=column.required and column.default is None,
        type=column.type if modelled and column.type in _VALIDATORS else None,
        accepted=tuple(a.lower() for a in column.accepted) if column.accepted and modelled else None,
    )


def _text(value) -> str | None:
    """The value as the raw table holds it (the JSON lines loader's text), trimmed; None when missing."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = orjson.dumps(value).decode()
    return text.strip() or None


def _valid(kind: str, text: str) -> bool:
    return _VALIDATORS[kind](text)


def _integer(text: str) -> bool:
    return bool(_INTEGER.fullmatch(text)) and _INT64[0] <= int(text) <= _INT64[1]


def _number(text: str) -> bool:
    return bool(_PLAIN_NUMBER.fullmatch(text)) or _duckdb_accepts("number", text)


def _timestamp(text: str) -> bool:
    if _ISO_TIMESTAMP.fullmatch(text):
        try:
            datetime.fromisoformat(text.replace("Z", "+00:00"))
            return True
        except ValueError:
            pass
    return _duckdb_accepts("timestamp", text)


def _boolean(text: str) -> bool:
    return text.lower() in ("true", "false")


def _date(text: str) -> bool:
    return _duckdb_accepts("date", text)


_VALIDATORS = {"integer": _integer, "number": _number, "timestamp": _timestamp, "boolean": _boolean, "date": _date}

# The casts of cast_value / parse_timestamp_utc on DuckDB, for values the quick checks cannot place.
_DUCKDB_CASTS = {
    "number": "try_cast($1 as numeric(28, 6))",
    "timestamp": "cast(timezone('UTC', try_cast($1 as timestamptz)) as timestamp)",
    "date": "try_cast($1 as date)",
}


@functools.lru_cache(maxsize=4096)
def _duckdb_accepts(kind: str, text: str) -> bool:
    return _duckdb().execute(f"select {_DUCKDB_CASTS[kind]} is not null", [text]).fetchone()[0]


@functools.cache
def _duckdb():
    import duckdb

    return duckdb.connect(":memory:")
