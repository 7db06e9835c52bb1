"""python -m bench.collector: the Event API under load, against a bare ASGI app on the same server.

Starts `retail-imports serve` (uvicorn, uvloop, httptools) on 127.0.0.1 for
a throw-away project with one event_api source, and the floor
(bench/floor_app.py, accept and discard) on the same server with the same
workers, then drives each with a bounded keep-alive HTTP/1.1 load generator:
  single     one page view per request, as fast as CONNECTIONS allow
  batch 100  100 page views per request, as fast as CONNECTIONS allow
  1000 req/s one page view per request at a fixed rate (latency measured
             from when each request was due, so queueing counts)
Every run stops after --seconds or --max-requests, whichever comes first.
The last lines compare with the targets of README "Performance", and check
that the spool holds exactly the events the collector acknowledged.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KEY = "bench-write-key-" + "0" * 16
TARGETS = {"single req/s": 2000, "batch events/s": 50_000, "p99 ms at 1000 req/s": 50, "single x floor": 0.5}
EVENT = {"event_id": "e", "event_time": "2024-06-01T10:00:00Z", "event_type": "page_view", "visitor_id": "v-1",
         "session_id": "s-1", "url": "https://www.shop.example/products/42?utm_source=newsletter&utm_medium=email",
         "referrer": "https://www.google.com/", "utm_source": "newsletter", "utm_medium": "email",
         "platform": "web", "device_type": "mobile", "user_agent": "Mozilla/5.0 (Linux; Android 14) Mobile"}


@dataclass
class Result:
    requests: int
    events: int
    failed: int
    seconds: float
    latencies: list[float]

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else float("nan")


def _request(port: int, body: bytes) -> bytes:
    return (f"POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {KEY}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body


async def _exchange(reader, writer, request: bytes) -> int:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    if length:
        await reader.readexactly(length)
    return status


async def _load(port: int, body: bytes, events: int, connections: int, seconds: float, max_requests: int,
                rate: float | None) -> Result:
    request = _request(port, body)
    latencies: list[float] = []
    counts = {"ok": 0, "failed": 0}
    start = time.perf_counter()
    stop_at = start + seconds
    issued = 0

    async def client(index: int):
        nonlocal issued
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while issued < max_requests:
                if rate:   # open loop: request k is due at start + k / rate, whatever came before
                    due = start + issued / rate
                    issued += 1
                    delay = due - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                else:
                    issued += 1
                    due = time.perf_counter()
                if due > stop_at:
                    return
                status = await _exchange(reader, writer, request)
                latencies.append(time.perf_counter() - due)
                counts["ok" if status == 200 else "failed"] += 1
        finally:
            writer.close()

    await asyncio.gather(*(client(i) for i in range(connections)))
    elapsed = time.perf_counter() - start
    return Result(counts["ok"], counts["ok"] * events, counts["failed"], elapsed, latencies)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(port: int, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"server exited: {log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"server did not start: {log.read_text()}")


def _project(work: Path) -> Path:
    project = work / "project"
    (project / "models").mkdir(parents=True)
    (project / "macros").mkdir()
    (project / "macros" / "formats").symlink_to(ROOT / "macros" / "formats")
    (project / "dbt_project.yml").write_text("name: bench\nprofile: none\n")
    (project / "models" / "_bench__sources.yml").write_text(
        "version: 2\nsources:\n  - name: bench\n    tables:\n      - name: visits\n        config:\n"
        "          meta:\n            loader:\n              format: symbiosys_visits_csv\n"
        "              source: event_api\n              write_key_env: BENCH_WRITE_KEY\n"
        "              rate_limit_per_second: 'off'\n              max_body_bytes: 10000000\n")
    return project


class Served:
    def __init__(self, name: str, cmd: list[str], cwd: Path, port: int, work: Path):
        self.log = work / f"{name}.log"
        self.port = port
        self.proc = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, "BENCH_WRITE_KEY": KEY, "DO_NOT_TRACK": "1"},
                                     stdout=open(self.log, "w"), stderr=subprocess.STDOUT, start_new_session=True)
        _wait(port, self.proc, self.log)

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(60)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.collector", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=1, help="server worker processes (default 1)")
    parser.add_argument("--connections", type=int, default=256,
                        help="concurrent keep-alive connections of the as-fast-as-possible runs (default 256: with "
                             "group commit, a request waits for an fdatasync, so throughput needs concurrency)")
    parser.add_argument("--seconds", type=float, default=10, help="length of each run (default 10)")
    parser.add_argument("--max-requests", type=int, default=200_000, help="requests per run at most")
    args = parser.parse_args()
    try:
        import uvloop
        uvloop.install()
    except ImportError:
        pass
    work = Path(tempfile.mkdtemp(prefix="retail-bench-collector-"))
    single = json.dumps(EVENT).encode()
    batch = json.dumps([EVENT] * 100).encode()
    runs = [("single", single, 1, None), ("batch 100", batch, 100, None), ("1000 req/s", single, 1, 1000.0)]
    results: dict[tuple[str, str], Result] = {}
    try:
        project = _project(work)
        print(f"fdatasync on this disk: p50 {_fsync_ms(work, 0.5):.1f} ms, p99 {_fsync_ms(work, 0.99):.1f} ms "
              "(every acknowledgement waits for one)", flush=True)
        servers = {
            "floor": lambda port: [sys.executable, "-m", "uvicorn", "bench.floor_app:app", "--port", str(port),
                                   "--workers", str(args.workers), "--loop", "uvloop", "--http", "httptools",
                                   "--no-access-log", "--log-level", "warning"],
            "collector": lambda port: [sys.executable, "-m", "loaders", "serve", "--port", str(port),
                                       "--workers", str(args.workers)],
        }
        for name, cmd in servers.items():
            port = _free_port()
            served = Served(name, cmd(port), ROOT if name == "floor" else project, port, work)
            try:
                for label, body, events, rate in runs:
                    result = asyncio.run(_load(port, body, events, args.connections, args.seconds,
                                               args.max_requests, rate))
                    results[(name, label)] = result
                    print(f"{name:9s} {label:10s} {result.requests / result.seconds:9,.0f} req/s "
                          f"{result.events / result.seconds:10,.0f} events/s  p50 {result.percentile(0.5):6.1f} ms  "
                          f"p99 {result.percentile(0.99):6.1f} ms  failed {result.failed}", flush=True)
            finally:
                served.stop()
        spooled = sum(len(p.read_bytes().splitlines()) for p in (work / "project").rglob("*.ndjson"))
        acknowledged = sum(r.events for (name, _), r in results.items() if name == "collector")
        _report(results, args.workers, spooled, acknowledged)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _fsync_ms(folder: Path, share: float, count: int = 100) -> float:
    """What one small append + fdatasync costs on the spool's disk (the collector's floor on latency)."""
    path = folder / "fsync-probe"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    times = []
    try:
        for _ in range(count):
            start = time.perf_counter()
            os.write(fd, b"x" * 400)
            os.fdatasync(fd)
            times.append(time.perf_counter() - start)
    finally:
        os.close(fd)
        path.unlink()
    return sorted(times)[int(share * (count - 1))] * 1000


def _report(results: dict, workers: int, spooled: int, acknowledged: int) -> None:
    rate = lambda name, label: results[(name, label)].requests / results[(name, label)].seconds  # noqa: E731
    figures = {
        "single req/s": rate("collector", "single"),
        "batch events/s": results[("collector", "batch 100")].events / results[("collector", "batch 100")].seconds,
        "p99 ms at 1000 req/s": results[("collector", "1000 req/s")].percentile(0.99),
        "single x floor": rate("collector", "single") / rate("floor", "single"),
    }
    print(f"\n{os.cpu_count()} cores, {workers} worker(s); load generator in this process")
    for name, value in figures.items():
        ok = value < TARGETS[name] if name.startswith("p99") else value >= TARGETS[name]
        sign = "<" if name.startswith("p99") else ">="
        print(f"{name:22s} {value:12,.2f}  target {sign} {TARGETS[name]:,}  {'met' if ok else 'missed'}")
    print(f"spool holds {spooled:,} events, the collector acknowledged {acknowledged:,}: "
          f"{'same' if spooled == acknowledged else 'DIFFERENT'}")


if __name__ == "__main__":
    main()
