"""Which declared sources the collector serves, and their settings (meta.loader).

A source with `source: event_api` takes events POSTed with its write key.
The key never sits in the YAML: `write_key_env: VARIABLE`, `write_key:
"{{ env_var('VARIABLE') }}"` or `credentials: PROFILE` (a `write_key` in the
credentials file), the same conventions as a store's secrets.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import LoaderError
from ..project import Source
from ..storage import secret_option
from .contract import Contract
from .spool import spool_folder

KIND = "event_api"

DEFAULT_MAX_BODY_BYTES = 1 << 20           # a request; Segment's batch limit is 500 KB, ours a little more
DEFAULT_RATE_LIMIT_PER_SECOND = 1000       # events per second per key
DEFAULT_SEGMENT_MAX_BYTES = 64 << 20
DEFAULT_SEGMENT_MAX_SECONDS = 300          # events reach `land` at most five minutes after they arrive


@dataclass(frozen=True)
class ApiSource:
    source: Source
    write_key: str
    folder: Path                   # its spool folder
    cors_origins: tuple[str, ...]  # browser origins allowed to send with the key ("*": any)
    max_body_bytes: int
    rate_per_second: float | None  # events per second; None: no limit
    burst: float
    segment_max_bytes: int
    segment_max_seconds: float
    contract: Contract

    @property
    def key(self) -> str:
        return self.source.key

    def allows_origin(self, origin: str) -> bool:
        return "*" in self.cors_origins or origin.rstrip("/") in self.cors_origins


def api_sources(sources: list[Source]) -> list[ApiSource]:
    """The event_api sources, each with its key and settings; a clear error for any missing or shared key."""
    found = [_api_source(s) for s in sources if s.kind == KIND]
    by_key: dict[str, str] = {}
    for api in found:
        if api.write_key in by_key:
            raise LoaderError(f"sources {by_key[api.write_key]} and {api.key} have the same write key: "
                              "each source needs its own (the key says which source an event belongs to)")
        by_key[api.write_key] = api.key
    return found


def _api_source(source: Source) -> ApiSource:
    options = source.options
    key = secret_option(options, "write_key", source.key)
    if not key:
        raise LoaderError(f"{source.key}: an event_api source needs a write key: set write_key_env: VARIABLE "
                          "(and export it), or credentials: PROFILE with a write_key in the credentials file")
    if len(key) < 16:
        raise LoaderError(f"{source.key}: the write key must be at least 16 characters (e.g. `openssl rand -hex 16`)")
    origins = options.get("cors_origins") or []
    if isinstance(origins, str):
        origins = [origins]
    rate = _number(options, "rate_limit_per_second", DEFAULT_RATE_LIMIT_PER_SECOND, source.key, allow_none=True)
    return ApiSource(
        source=source,
        write_key=key,
        folder=spool_folder(source),
        cors_origins=tuple(str(o).rstrip("/") for o in origins),
        max_body_bytes=int(_number(options, "max_body_bytes", DEFAULT_MAX_BODY_BYTES, source.key)),
        rate_per_second=rate,
        burst=_number(options, "rate_limit_burst", 2 * rate if rate else 0, source.key) if rate else 0,
        segment_max_bytes=int(_number(options, "segment_max_bytes", DEFAULT_SEGMENT_MAX_BYTES, source.key)),
        segment_max_seconds=_number(options, "segment_max_seconds", DEFAULT_SEGMENT_MAX_SECONDS, source.key),
        contract=Contract(source.format, options),
    )


def _number(options: dict, name: str, default, key: str, allow_none: bool = False):
    value = options.get(name, default)
    if allow_none and (value is None or str(value).lower() in ("none", "off")):
        return None   # no limit
    value = default if value is None else value
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = -1
    if number <= 0:
        raise LoaderError(f"{key}: meta.loader.{name} must be a positive number, not {value!r}")
    return number
