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
from datetime import datetime
from typing import Callable, NamedTuple

import orjson

from ..formats import Column, Format

# Options that change how staging reads a column beyond its type.
_UNMODELLED = {"format", "extract", "formats", "transform", "timezone", "default_protocol"}
_INTEGER = re.compile(r"[+-]?[0-9]+")
_PLAIN_NUMBER = re.compile(r"[+-]?([0-9]{1,15}(\.[0-9]{0,6})?|\.[0-9]{1,6})")
_ISO_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?(Z|[+-]\d{2}(:?\d{2})?)?")
_INT64 = (-(2 ** 63), 2 ** 63 - 1)


class _Check(NamedTuple):
    key: str               # the event field, lower-cased (staging matches names case-insensitively)
    label: str             # how staging names it in a reason
    required: bool
    valid: Callable[[str], bool] | None   # the type's check, None when left to staging
    type: str
    accepted: tuple[str, ...] | None


class Contract:
    """The checks of one source's format, built once, applied to every event."""

    def __init__(self, fmt: Format, options: dict):
        self.format_name = fmt.name
        judged = not options.get("transformations")   # renamed / derived fields: staging decides
        checks = (_check(c) for c in fmt.columns if c.source and judged)
        self._checks = tuple(c for c in checks if c.required or c.valid or c.accepted)   # plain text: nothing to check
        self._plain_keys = {c.source.lower() for c in fmt.columns if c.source}
        sources = {c.name: c.source.lower() for c in fmt.columns if c.source}
        self._groups = tuple(
            (tuple(sources[n] for n in group), " or ".join(group))
            for group in (fmt.extra.get("one_of_required") or []) if judged and all(n in sources for n in group)
        )

    def _all_plain(self, event: dict) -> bool:
        """Whether every key is already a staging name (trimmed, lower-case); remembers the new plain ones."""
        plain = True
        for key in event.keys() - self._plain_keys:
            if key.__class__ is str and key == key.strip().lower():
                if len(self._plain_keys) < 10_000:   # bounded: keys are chosen by whoever sends
                    self._plain_keys.add(key)
            else:
                plain = False
        return plain

    def problems(self, event: dict) -> list[str]:
        """Staging's reasons for this event (empty when it is valid)."""
        if not event.keys() <= self._plain_keys and not self._all_plain(event):
            event = {str(k).strip().lower(): v for k, v in event.items()}
        found = []
        for key, label, required, valid, kind, accepted in self._checks:
            value = event.get(key)
            text = (value.strip() or None) if value.__class__ is str else _text(value)
            if text is None:
                if required:
                    found.append(f"{label}: required value missing")
                continue
            if valid is not None and not valid(text):
                found.append(f"{label}: not a valid {kind}")
            if accepted and text.lower() not in accepted:
                found.append(f"{label}: not one of {', '.join(accepted)}")
        for keys, label in self._groups:
            if all(_text(event.get(k)) is None for k in keys):
                found.append(f"{label}: one is required")
        return found


def _check(column: Column) -> _Check:
    modelled = not (_UNMODELLED & set(column.options))
    return _Check(
        key=column.source.lower(),
        label=column.source,
        required=column.required and column.default is None,
        valid=_VALIDATORS.get(column.type) if modelled else None,
        type=column.type,
        accepted=tuple(a.lower() for a in column.accepted) if column.accepted and modelled else None,
    )


def _text(value) -> str | None:
    """The value as the raw table holds it (the JSON lines loader's text), trimmed; None when missing."""
    if value is None:
        return None
    if value.__class__ is str:
        return value.strip() or None
    if isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = orjson.dumps(value).decode()
    return text.strip() or None


def _integer(text: str) -> bool:
    return bool(_INTEGER.fullmatch(text)) and _INT64[0] <= int(text) <= _INT64[1]


def _number(text: str) -> bool:
    return bool(_PLAIN_NUMBER.fullmatch(text)) or _duckdb_accepts("number", text)


def _timestamp(text: str) -> bool:
    if _ISO_TIMESTAMP.fullmatch(text):
        try:
            datetime.fromisoformat(text)
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
