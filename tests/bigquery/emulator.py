"""The local BigQuery emulator of the BigQuery tests (crucible-emulator on 127.0.0.1),
a fixture their modules import."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT

CRUCIBLE = Path(os.environ.get("CRUCIBLE_BIN", ROOT / ".venv-crucible" / "bin" / "crucible"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def emulator(tmp_path_factory):
    """crucible-emulator on a free port, health-checked before any client talks to it
    (a dead endpoint makes the Google client retry for minutes)."""
    if not CRUCIBLE.exists():
        pytest.fail(f"{CRUCIBLE} is missing: run `make emulator` (make test does it)")
    port = _free_port()
    log = tmp_path_factory.mktemp("crucible") / "crucible.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(CRUCIBLE), "serve", "--dialect", "bigquery", "--host", "127.0.0.1",
                                 "--port", str(port)], stdout=out, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{endpoint}/_crucible/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"crucible did not start: {log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.2)
    yield endpoint
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
