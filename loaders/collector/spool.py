"""The collector's spool: events on local disk, durable before they are acknowledged.

Each worker process appends to its own open segment per source
(`<folder>/<name>.ndjson.open`), one JSON object per line. Requests that
arrive together are written together and covered by one fdatasync (group
commit): a request is answered only once the fdatasync covering its lines
has returned. A segment closes, by an atomic rename to `<name>.ndjson`,
when it reaches `segment_max_bytes`, when it is `segment_max_seconds` old,
when the UTC day changes (its name carries the day it was opened: the
delivery's file date) and when the collector stops. Closed segments are
the deliveries `land` lists (`closed_segments`).

A writer holds an flock on its open segment for as long as its process
lives, so a segment left open by a killed process is recognised (nobody
holds its lock) and closed by the next collector start or the next `land`.
A write the kill cut short left a torn last line, never acknowledged: it is
kept as a refused line with that reason, so it lands in loader.rejects.
"""

from __future__ import annotations

import asyncio
import errno
import fcntl
import os
import re
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import orjson

from ..discovery import DeliveredFile
from ..jsonlines import REFUSED_KEY
from ..project import Source, find_project_dir
from ..warehouse import default_warehouse_path

OPEN_SUFFIX = ".open"
CREATING_SUFFIX = ".creating"
SEGMENT_SUFFIX = ".ndjson"
_NAME = re.compile(r"_(\d{8})T\d{6}Z_[0-9a-f]+-\d+" + re.escape(SEGMENT_SUFFIX) + "$")
# An unlocked .creating file younger than this may belong to a writer between
# creating and locking it.
_CREATING_GRACE_SECONDS = 60


class SpoolError(Exception):
    """The spool could not store a write (disk full, I/O error): nothing of it is acknowledged."""


def refused_line(reason: str, text: str) -> bytes:
    """A spool line recording something that is not an event: landed as a reject with `reason`."""
    return orjson.dumps({REFUSED_KEY: {"reason": reason, "text": text}}) + b"\n"


def segment_day(name: str) -> date | None:
    """The UTC day a segment was opened, from its name (None: not a segment name)."""
    found = _NAME.search(name)
    return datetime.strptime(found.group(1), "%Y%m%d").date() if found else None


@dataclass
class _Open:
    fd: int
    path: Path        # <name>.ndjson.open
    day: date
    opened: float     # time.monotonic()
    size: int = 0     # bytes covered by an fdatasync


class SegmentWriter:
    """One process's appends to one source's spool folder, with group commit.

    All file work runs on one thread of its own, in order; the event loop
    keeps taking requests meanwhile, and everything that queued up during
    one fdatasync goes out in the next write.
    """

    def __init__(self, folder: Path, prefix: str, max_bytes: int, max_seconds: float):
        self.folder = folder
        self.prefix = prefix
        self.max_bytes = max_bytes
        self.max_seconds = max_seconds
        self._token = f"{os.getpid():x}{secrets.token_hex(3)}"
        self._sequence = 0
        self._current: _Open | None = None
        self._pending: list[tuple[bytes, asyncio.Future]] = []
        self._flushing = False
        self._thread = ThreadPoolExecutor(1, thread_name_prefix=f"spool-{prefix}")

    async def append(self, data: bytes) -> None:
        """Return once `data` is on disk (fdatasync'd); SpoolError if it could not be stored."""
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        self._pending.append((data, done))
        if not self._flushing:
            self._flushing = True
            loop.create_task(self._flush())
        await done

    async def _flush(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                try:
                    await loop.run_in_executor(self._thread, self._write, b"".join(d for d, _ in batch))
                except OSError as exc:
                    failure = SpoolError(_describe(exc))
                    for _, done in batch:
                        if not done.done():
                            done.set_exception(failure)
                    continue
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)
        finally:
            self._flushing = False

    async def close_if_due(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._thread, self._close_if_due)

    async def close(self) -> None:
        """Write what is queued, then close the open segment (the collector is stopping)."""
        while self._flushing or self._pending:
            if self._pending and not self._flushing:
                self._flushing = True
                await self._flush()
            else:
                await asyncio.sleep(0.01)
        await asyncio.get_running_loop().run_in_executor(self._thread, self._close)
        self._thread.shutdown(wait=True)

    # -- on the writer's thread ------------------------------------------------------------------------------
    def _write(self, data: bytes) -> None:
        current = self._current
        if current is not None and current.day != _today():
            self._close()
        if self._current is None:
            self._open()
        current = self._current
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(current.fd, view):]
            os.fdatasync(current.fd)
        except OSError:
            # Nothing of this write is acknowledged: take its bytes back off
            # the segment, and start a new one next time.
            try:
                os.ftruncate(current.fd, current.size)
                os.fdatasync(current.fd)
            except OSError:
                pass
            self._close()
            raise
        current.size += len(data)
        if current.size >= self.max_bytes:
            self._close()

    def _close_if_due(self) -> None:
        current = self._current
        if current is not None and (time.monotonic() - current.opened >= self.max_seconds or current.day != _today()):
            self._close()

    def _open(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        now = datetime.now(timezone.utc)
        self._sequence += 1
        name = f"{self.prefix}_{now:%Y%m%dT%H%M%SZ}_{self._token}-{self._sequence}{SEGMENT_SUFFIX}"
        creating = self.folder / f".{name}{CREATING_SUFFIX}"
        fd = os.open(creating, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            path = self.folder / f"{name}{OPEN_SUFFIX}"
            os.rename(creating, path)
            _sync_dir(self.folder)
        except OSError:
            os.close(fd)
            _remove(creating)
            raise
        self._current = _Open(fd, path, now.date(), time.monotonic())

    def _close(self) -> None:
        current, self._current = self._current, None
        if current is None:
            return
        try:
            if current.size:
                os.rename(current.path, current.path.with_name(current.path.name[: -len(OPEN_SUFFIX)]))
            else:
                _remove(current.path)
            _sync_dir(self.folder)
        finally:
            os.close(current.fd)   # releases the lock


def recover(folder: Path) -> list[Path]:
    """Close the segments of `folder` whose writer is gone; the segments closed."""
    closed = []
    if not folder.is_dir():
        return closed
    for path in sorted(folder.iterdir()):
        name = path.name
        if name.endswith(CREATING_SUFFIX):
            if time.time() - _mtime(path) > _CREATING_GRACE_SECONDS and _orphan(path, lambda fd: True):
                _remove(path)   # created and never renamed: it never held an acknowledged byte
        elif name.endswith(SEGMENT_SUFFIX + OPEN_SUFFIX):
            final = path.with_name(name[: -len(OPEN_SUFFIX)])
            if _orphan(path, lambda fd: _seal(fd, path, final)):  # noqa: B023 (called at once, in this iteration)
                closed.append(final)
    if closed:
        _sync_dir(folder)
    return closed


def _orphan(path: Path, act) -> bool:
    """Run act(fd) on `path` if no live process holds its lock; whether it did."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return False   # closed meanwhile by its writer or another recovery
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        if not os.path.exists(path):
            return False   # another recovery finished it before we got the lock
        act(fd)
        return True
    finally:
        os.close(fd)


def _seal(fd: int, path: Path, final: Path) -> None:
    """Close an abandoned segment: a torn last line becomes a refused line; empty ones are removed."""
    size = os.fstat(fd).st_size
    if size == 0:
        _remove(path)
        return
    tail_start = max(0, size - (1 << 20))
    os.lseek(fd, tail_start, os.SEEK_SET)
    tail = os.read(fd, size - tail_start)
    if not tail.endswith(b"\n"):
        cut = tail.rfind(b"\n")
        if cut < 0 and tail_start > 0:
            cut = None   # a torn line longer than the tail read: keep it as it is, the loader rejects it
        if cut is not None:
            torn = tail[cut + 1:]
            os.ftruncate(fd, tail_start + cut + 1)
            os.lseek(fd, 0, os.SEEK_END)
            os.write(fd, refused_line(
                "incomplete line: the collector stopped while writing it, and never acknowledged it",
                torn.decode("utf-8", errors="backslashreplace")))
            os.fsync(fd)
    os.rename(path, final)


def spool_folder(source: Source) -> Path:
    """Where a source's segments live: its `location`, else <spool>/<retailer>/<dataset>.

    <spool> is $RETAIL_SPOOL, else `spool/` beside the warehouse file
    ($RETAIL_WAREHOUSE, default warehouse/retail.duckdb): the collector and
    `land` find the same folder from the same environment.
    """
    if source.location:
        return Path(source.location)
    root = os.environ.get("RETAIL_SPOOL")
    project_dir = find_project_dir(source.declared_in.parent) if source.declared_in else Path.cwd()
    base = Path(root) if root else default_warehouse_path(project_dir).parent / "spool"
    if not base.is_absolute():
        base = project_dir / base
    return base / source.retailer / source.dataset


def segment_deliveries(source: Source) -> list[DeliveredFile]:
    """The lister of event_api sources (discovery.KINDS): closed segments, after closing abandoned ones."""
    folder = spool_folder(source)
    recover(folder)
    deliveries = []
    for path in closed_segments(folder):
        stat = path.stat()
        deliveries.append(DeliveredFile(str(path), stat.st_size, fingerprint=f"size+mtime:{stat.st_size}@{stat.st_mtime_ns}",
                                        file_date=segment_day(path.name)))
    return deliveries


def closed_segments(folder: Path) -> list[Path]:
    """Closed segments of a source's spool folder, oldest first (names begin with the time they were opened)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.name.endswith(SEGMENT_SUFFIX) and not p.name.startswith(".") and p.is_file())


def _today() -> date:
    return datetime.now(timezone.utc).date()


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return time.time()


def _remove(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _sync_dir(folder: Path) -> None:
    """A created or renamed file survives a power cut only once its folder is synced too."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _describe(exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the spool's disk is full"
    return f"the spool could not be written ({exc.strerror or exc})"
