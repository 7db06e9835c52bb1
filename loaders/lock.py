"""One run at a time per warehouse (vendor rule: an overlapping run is skipped).

An OS-level lock (flock) is released by the kernel when its holder dies, so a
crashed run never leaves a stale lock behind; the pid written inside is only
there to tell the user who holds it.
"""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path

from .errors import RunInProgress


@contextmanager
def run_lock(warehouse_path: Path):
    lock_path = warehouse_path.with_suffix(warehouse_path.suffix + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(lock_path, "a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise RunInProgress(f"skipped: another run is in progress (pid {holder}, lock {lock_path})") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()
