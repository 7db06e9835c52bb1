"""A request body as events: one JSON object, a JSON array of them, or NDJSON (one per line).

What cannot be read as JSON is kept as an `Unreadable` with the reason and
its text, so it is spooled as a refused line and lands in loader.rejects:
nothing sent is dropped unseen.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import orjson

NDJSON_TYPES = ("application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines")


@dataclass(frozen=True)
class Unreadable:
    reason: str
    text: str


def events_of(body: bytes, content_type: str = "") -> list:
    """The items of a body, each a parsed JSON value or an Unreadable."""
    body = body.removeprefix(b"\xef\xbb\xbf")
    if content_type.split(";")[0].strip().lower() not in NDJSON_TYPES:
        try:
            value = loads(body)
        except ValueError as exc:
            if b"\n" not in body.strip():
                return [Unreadable(f"not valid JSON: {_why(exc)}", _as_text(body))]
        else:
            return value if isinstance(value, list) else [value]
    items = []
    for line in body.split(b"\n"):
        if not line.strip():
            continue
        try:
            items.append(loads(line))
        except ValueError as exc:
            items.append(Unreadable(f"not valid JSON: {_why(exc)}", _as_text(line.rstrip(b"\r"))))
    return items


def loads(data: bytes):
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        # integers past 64 bits, which orjson refuses and JSON allows; NaN and Infinity are not JSON
        return json.loads(data, parse_constant=_not_json)


def dumps(value) -> bytes:
    """One compact line of JSON."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def json_type(value) -> str:
    if value is None:
        return "null"
    return {bool: "boolean", int: "number", float: "number", str: "string", list: "array", dict: "object"}.get(
        type(value), type(value).__name__)


def _not_json(constant: str):
    raise ValueError(f"{constant} is not a JSON value")


def _why(exc: ValueError) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "bytes that are not valid UTF-8"
    return str(exc).split(": line")[0] if str(exc) else type(exc).__name__


def _as_text(data: bytes) -> str:
    return data.decode("utf-8", errors="backslashreplace")
