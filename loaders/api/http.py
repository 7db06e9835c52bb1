"""GET JSON from a third-party API, retrying what a retry can fix, and nothing else.

urllib3 does the HTTP and the retries (its `Retry`): on 429 and 5xx answers,
timeouts and dropped connections a request is tried again after an
exponential back-off, or after the server's Retry-After (capped, so a
server asking for hours cannot hold a scheduled run), up to `retries`
times. Redirects are not followed: the key header would go to another host.
Every failure becomes one FileError naming the source, the request (path
and query, never a header) and the cause; the key itself is never part of
a message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import urllib3
from urllib3.exceptions import HTTPError, MaxRetryError
from urllib3.util import Retry, Timeout

from ..errors import FileError, LoaderError

RETRIED_STATUSES = (429, 500, 502, 503, 504)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try one request (a source's request_* options)."""

    retries: int = 5                 # attempts after the first
    backoff_seconds: float = 1.0     # urllib3's backoff factor: waits 0, 2x, 4x, 8x... this
    max_wait_seconds: float = 120.0  # cap on one wait, Retry-After included
    timeout_seconds: float = 60.0    # connect and read timeout of one attempt

    @classmethod
    def from_options(cls, options: dict, where: str) -> "RetryPolicy":
        try:
            policy = cls(
                retries=int(options.get("request_retries", cls.retries)),
                backoff_seconds=float(options.get("request_backoff_seconds", cls.backoff_seconds)),
                max_wait_seconds=float(options.get("request_max_wait_seconds", cls.max_wait_seconds)),
                timeout_seconds=float(options.get("request_timeout_seconds", cls.timeout_seconds)),
            )
        except (TypeError, ValueError):
            raise LoaderError(f"{where}: request_retries, request_backoff_seconds, request_max_wait_seconds and "
                              "request_timeout_seconds must be numbers") from None
        if policy.retries < 0 or policy.backoff_seconds < 0 or policy.max_wait_seconds < 0 \
                or policy.timeout_seconds <= 0:
            raise LoaderError(f"{where}: request_* options must not be negative (and the timeout above 0)")
        return policy

    def retry(self) -> Retry:
        return Retry(
            total=self.retries, status_forcelist=RETRIED_STATUSES, allowed_methods={"GET"},
            backoff_factor=self.backoff_seconds, backoff_max=self.max_wait_seconds,
            retry_after_max=int(self.max_wait_seconds), respect_retry_after_header=True,
            raise_on_status=False, redirect=False,
        )


class JsonClient:
    """GET requests to one API base URL with fixed headers (the key among them)."""

    def __init__(self, base_url: str, headers: dict[str, str], policy: RetryPolicy, name: str):
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise LoaderError(f"{name}: base_url {base_url!r} must be an http(s) URL")
        self.base_url = base_url.rstrip("/")
        self.name = name             # the delivery this client fetches, for messages
        self.policy = policy
        self._headers = {"Accept": "application/json", **headers}
        self._pool = urllib3.PoolManager(
            retries=policy.retry(), timeout=Timeout(connect=policy.timeout_seconds, read=policy.timeout_seconds))

    def get(self, path: str, params: dict | None = None) -> dict:
        """The JSON object the API answers to GET `path`; FileError when it will not answer one."""
        target = path + (f"?{urlencode(params)}" if params else "")
        tries = f"{self.policy.retries + 1} tries"
        try:
            response = self._pool.request("GET", self.base_url + target, headers=self._headers)
        except MaxRetryError as exc:
            raise FileError(self.name, f"GET {target}: no answer after {tries} ({_cause(exc.reason)})") from None
        except HTTPError as exc:
            raise FileError(self.name, f"GET {target}: {_cause(exc)}") from None
        if response.status >= 300:
            raise FileError(self.name, f"GET {target}: {_refusal(response, tries)}")
        try:
            body = json.loads(response.data)
        except ValueError:
            raise FileError(self.name, f"GET {target}: the answer is not JSON "
                                       f"({response.headers.get('Content-Type') or 'no content type'})") from None
        if not isinstance(body, dict):
            raise FileError(self.name, f"GET {target}: expected a JSON object, got a JSON {type(body).__name__}")
        return body


def _refusal(response, tries: str) -> str:
    """Why the API said no, in its own words where it gave some (E-goi: {title, detail})."""
    said = ""
    try:
        body = json.loads(response.data)
        if isinstance(body, dict):
            said = "; ".join(str(body[k]) for k in ("title", "detail") if body.get(k))
    except ValueError:
        pass
    what = f"HTTP {response.status}" + (f" ({said})" if said else "")
    if response.status == 401:
        return f"{what}: the API key was refused (check api_key_env / the credentials profile)"
    if response.status == 403:
        return f"{what}: the API key lacks a permission this source needs"
    if 300 <= response.status < 400:
        return (f"{what}: redirected to {response.headers.get('Location', '?')}, not followed so the key "
                "is not sent elsewhere (set base_url to the API's own address)")
    if response.status in RETRIED_STATUSES:
        return f"{what} after {tries}"
    return what


def _cause(exc: BaseException | None) -> str:
    if exc is None:
        return "unknown error"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if text.startswith(("HTTPConnectionPool(", "HTTPSConnectionPool(")):
        text = text.split("): ", 1)[-1]   # urllib3 starts with the pool's repr; the cause follows
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
