"""Private temporary folders under $TMPDIR, and the removal of those a killed run left behind.

Each folder holds an `.owner` file its process keeps locked (flock) while
the folder is in use. The kernel drops the lock when the process dies,
however it dies, so a folder whose `.owner` can be locked is stale: a later
run removes it. Folders of live runs, of other users, or without `.owner`
(not made by this code) are never touched.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from contextlib import contextmanager
from typing import Iterator

PREFIX = "retail-imports-"
OWNER = ".owner"


@contextmanager
def private_folder(kind: str = "") -> Iterator[str]:
    """A folder only this process uses (mode 0700), removed with everything in it afterwards."""
    path = tempfile.mkdtemp(prefix=PREFIX + (f"{kind}-" if kind else ""))
    # Locked under another name, then renamed: a cleaner never sees an unlocked `.owner`.
    handle = open(os.path.join(path, OWNER + ".new"), "w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        os.rename(os.path.join(path, OWNER + ".new"), os.path.join(path, OWNER))
        yield path
    finally:
        handle.close()
        shutil.rmtree(path, ignore_errors=True)


def remove_stale(folder: str | None = None) -> list[str]:
    """Remove the private folders of runs that are gone; returns their paths."""
    removed = []
    try:
        entries = list(os.scandir(folder or tempfile.gettempdir()))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(PREFIX) or not entry.is_dir(follow_symlinks=False):
            continue
        try:
            if entry.stat(follow_symlinks=False).st_uid != os.getuid():
                continue
            fd = os.open(os.path.join(entry.path, OWNER), os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue   # its run is alive
        finally:
            os.close(fd)   # also releases a lock we took: the folder goes next
        shutil.rmtree(entry.path, ignore_errors=True)
        removed.append(entry.path)
    return removed
