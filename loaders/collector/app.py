"""The collector's HTTP API (Starlette on uvicorn): POST /v1/events and friends.

A request is answered 2xx only once its events are in an fdatasync'd spool
segment (spool.SegmentWriter). Events that break their format's contract
are spooled too, flagged later by staging exactly like a bad row of a file,
and named in a 400 answer with staging's reasons; what is not JSON at all
is spooled as a refused line and lands in loader.rejects. Nothing is stored
for 401, 403, 413, 429 and 503 answers: the client still has the events and
sends them again.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import os
import time
from importlib import resources

import orjson
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from .body import Unreadable, dumps, events_of, json_type
from .openapi import docs_html, openapi
from .sources import ApiSource
from .spool import SegmentWriter, SpoolError, recover, refused_line

MAX_ERRORS_LISTED = 100
_TICK_SECONDS = 1.0


class RateLimit:
    """A token bucket of events per second (one per key, per worker process)."""

    def __init__(self, rate: float, burst: float):
        self.rate, self.burst = rate, max(burst, 1.0)
        self.tokens, self.stamp = self.burst, time.monotonic()

    def take(self, events: int) -> float:
        """0 when the events may pass, else the seconds until they could."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        cost = min(float(events), self.burst)   # a batch larger than the burst passes on a full bucket
        if self.tokens >= cost:
            self.tokens -= cost
            return 0.0
        return (cost - self.tokens) / self.rate


class Collector:
    def __init__(self, sources: list[ApiSource], workers: int = 1):
        self.sources = sources
        self.by_key = {s.write_key: s for s in sources}
        self.writers: dict[str, SegmentWriter] = {}
        self.limits = {s.key: RateLimit(s.rate_per_second / workers, s.burst / workers)
                       for s in sources if s.rate_per_second}
        self._ticker: asyncio.Task | None = None
        self._openapi = orjson.dumps(openapi(sources))
        self._docs = docs_html(openapi(sources))
        self._tag = resources.files(__package__).joinpath("tag.js").read_bytes()

    # -- lifecycle -------------------------------------------------------------------------------------------
    @contextlib.asynccontextmanager
    async def lifespan(self, app):
        loop = asyncio.get_running_loop()
        for source in self.sources:
            await loop.run_in_executor(None, recover, source.folder)   # segments a killed collector left open
            self.writers[source.key] = SegmentWriter(
                source.folder, f"{source.source.retailer}_{source.source.dataset}",
                source.segment_max_bytes, source.segment_max_seconds)
        self._ticker = loop.create_task(self._tick())
        try:
            yield
        finally:
            self._ticker.cancel()
            for writer in self.writers.values():
                await writer.close()

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(_TICK_SECONDS)
            for writer in self.writers.values():
                with contextlib.suppress(OSError):
                    await writer.close_if_due()

    # -- endpoints -------------------------------------------------------------------------------------------
    async def events(self, request: Request) -> Response:
        source = self._source_of(request)
        if source is None:
            return _error(401, "missing or unknown write key: send it as `Authorization: Bearer KEY` "
                               "(or `?key=KEY` from a browser)")
        origin = request.headers.get("origin")
        cors = {}
        if origin:
            if not source.allows_origin(origin):
                return _error(403, f"origin {origin} may not send events for {source.key} "
                                   "(add it to the source's meta.loader.cors_origins)")
            cors = {"access-control-allow-origin": origin, "vary": "Origin"}
        body = await _read_body(request, source.max_body_bytes)
        if body is None:
            return _error(413, f"body larger than {source.max_body_bytes} bytes, the limit of {source.key} "
                               "(meta.loader.max_body_bytes): send fewer events per request", cors)
        items = events_of(body, request.headers.get("content-type", ""))
        if not items:
            return _error(400, "the body holds no event (send a JSON object, an array of them, or NDJSON)", cors)
        limit = self.limits.get(source.key)
        wait = limit.take(len(items)) if limit else 0.0
        if wait:
            seconds = max(1, int(wait + 0.999))
            return _error(429, f"rate limit of {source.rate_per_second:g} events per second for {source.key} "
                               f"exceeded: nothing was stored; send again in {seconds} s",
                          {**cors, "retry-after": str(seconds)})
        lines, errors = [], []
        for index, item in enumerate(items):
            if isinstance(item, Unreadable):
                lines.append(refused_line(item.reason, item.text))
                errors.append({"index": index, "problems": [item.reason]})
                continue
            if not isinstance(item, dict):
                reason = f"not a JSON object (a JSON {json_type(item)})"
                lines.append(refused_line(reason, dumps(item).decode()))
                errors.append({"index": index, "problems": [reason]})
                continue
            lines.append(dumps(item) + b"\n")
            problems = source.contract.problems(item)
            if problems:
                errors.append({"index": index, "problems": problems})
        try:
            await self.writers[source.key].append(b"".join(lines))
        except SpoolError as exc:
            return _error(503, f"{exc}: nothing was stored; send again later", {**cors, "retry-after": "30"})
        accepted = len(items) - len(errors)
        if not errors:
            return _json(200, {"accepted": accepted}, cors)
        return _json(400, {
            "error": f"{len(errors)} of {len(items)} events break the {source.contract.format_name} contract; "
                     "they are recorded as rejected (audit_rejected_rows, loader.rejects) and will not reach the "
                     "marts: fix and send those again",
            "accepted": accepted, "rejected": len(errors), "errors": errors[:MAX_ERRORS_LISTED],
        }, cors)

    async def preflight(self, request: Request) -> Response:
        origin = request.headers.get("origin", "")
        source = self._source_of(request)
        candidates = [source] if source else self.sources
        if not origin or not any(s.allows_origin(origin) for s in candidates):
            return _error(403, f"origin {origin or '(none)'} may not send events (meta.loader.cors_origins)")
        return Response(status_code=204, headers={
            "access-control-allow-origin": origin, "vary": "Origin",
            "access-control-allow-methods": "POST, OPTIONS",
            "access-control-allow-headers": "Authorization, Content-Type",
            "access-control-max-age": "600",
        })

    async def health(self, request: Request) -> Response:
        return _json(200, {"status": "ok", "sources": [s.key for s in self.sources]})

    async def tag(self, request: Request) -> Response:
        return Response(self._tag, media_type="application/javascript",
                        headers={"cache-control": "public, max-age=3600", "access-control-allow-origin": "*"})

    async def openapi_json(self, request: Request) -> Response:
        return Response(self._openapi, media_type="application/json")

    async def docs(self, request: Request) -> Response:
        return HTMLResponse(self._docs)

    def _source_of(self, request: Request) -> ApiSource | None:
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        key = None
        if scheme.lower() == "bearer":
            key = value.strip()
        elif scheme.lower() == "basic":   # Segment's libraries: the key as the user name, no password
            with contextlib.suppress(binascii.Error, UnicodeDecodeError):
                key = base64.b64decode(value.strip()).decode().partition(":")[0]
        key = key or request.query_params.get("key")
        return self.by_key.get(key) if key else None


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The body, or None as soon as it passes `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
    except ClientDisconnect:
        return b""
    return b"".join(chunks)


def _json(status: int, payload: dict, headers: dict | None = None) -> Response:
    return Response(orjson.dumps(payload), status_code=status, media_type="application/json", headers=headers)


def _error(status: int, message: str, headers: dict | None = None) -> Response:
    return _json(status, {"error": message}, headers)


def create_app(sources: list[ApiSource], workers: int = 1) -> Starlette:
    collector = Collector(sources, workers)
    return Starlette(
        routes=[
            Route("/v1/events", collector.events, methods=["POST"]),
            Route("/v1/events", collector.preflight, methods=["OPTIONS"]),
            Route("/health", collector.health, methods=["GET"]),
            Route("/tag.js", collector.tag, methods=["GET"]),
            Route("/openapi.json", collector.openapi_json, methods=["GET"]),
            Route("/docs", collector.docs, methods=["GET"]),
        ],
        lifespan=collector.lifespan,
    )


# The environment `retail-imports serve` hands each uvicorn worker.
ENV_PROJECT, ENV_SELECT, ENV_WORKERS = "RETAIL_COLLECTOR_PROJECT", "RETAIL_COLLECTOR_SOURCES", "RETAIL_COLLECTOR_WORKERS"


def app_from_environment() -> Starlette:
    """uvicorn's factory: each worker process loads the sources itself."""
    from pathlib import Path

    from ..project import load_sources, select_sources
    from .sources import api_sources

    sources = load_sources(Path(os.environ[ENV_PROJECT]))
    chosen = select_sources(sources, tuple(filter(None, os.environ.get(ENV_SELECT, "").split(","))))
    return create_app(api_sources(chosen), int(os.environ.get(ENV_WORKERS, "1")))
