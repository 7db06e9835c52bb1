"""`retail-imports serve` as a subprocess on 127.0.0.1, and a plain HTTP client for it."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "loaders"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """One collector process group (uvicorn's supervisor and its workers)."""

    def __init__(self, project_dir: Path, env: dict, *args: str, workers: int = 1, log: Path | None = None):
        self.port = free_port()
        self.log = log or project_dir / f"serve-{self.port}.log"
        self._log = open(self.log, "w")
        full_env = {**os.environ, "DO_NOT_TRACK": "1", **env}
        self.proc = subprocess.Popen(
            [*CLI, *args, "serve", "--port", str(self.port), "--workers", str(workers)],
            cwd=project_dir, env=full_env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"serve exited with {self.proc.returncode}: {self.log.read_text()}")
            try:
                if self.get("/health")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        pytest.fail(f"serve did not answer /health in 60 s: {self.log.read_text()}")

    def request(self, method: str, path: str, body: bytes | str | None = None, headers: dict | None = None,
                timeout: float = 30) -> tuple[int, dict | str, dict]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body.encode() if isinstance(body, str) else body, headers=headers or {})
            response = conn.getresponse()
            raw = response.read()
            kind = response.getheader("content-type", "")
            payload = json.loads(raw) if kind.startswith("application/json") and raw else raw.decode()
            return response.status, payload, {k.lower(): v for k, v in response.getheaders()}
        finally:
            conn.close()

    def get(self, path: str) -> tuple[int, dict | str, dict]:
        return self.request("GET", path, timeout=5)

    def post(self, events, key: str | None, content_type: str = "application/json", **headers: str):
        body = events if isinstance(events, (bytes, str)) else json.dumps(events)
        sent = {"content-type": content_type, **headers}
        if key:
            sent["authorization"] = f"Bearer {key}"
        return self.request("POST", "/v1/events", body, sent)

    def stop(self) -> str:
        """SIGTERM, as systemd or Ctrl-C would: open segments are closed. Returns the log."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()
        return self.log.read_text()

    def kill(self) -> None:
        """kill -9 of every process of the collector: nothing is closed or flushed."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=30)
        self._log.close()
