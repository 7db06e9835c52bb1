"""Run the CLI in a pseudo-terminal of a given size, as a user's terminal runs it (python's pty module)."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import termios
import time
from pathlib import Path

from conftest import CLI

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def run_in_terminal(*args: str, cwd: Path, env: dict, columns: int = 80, rows: int = 50,
                    timeout: float = 120) -> tuple[int, str]:
    """(exit code, what the terminal showed, colours and other escapes removed)."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    full_env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    full_env.update({"DO_NOT_TRACK": "1", "TERM": "xterm-256color", **env})
    proc = subprocess.Popen([*CLI, *args], cwd=cwd, env=full_env, stdin=follower, stdout=follower,
                            stderr=follower, close_fds=True)
    os.close(follower)
    chunks, deadline = [], time.monotonic() + timeout
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:     # the terminal closed: the command ended
            break
        if not data:
            break
        chunks.append(data)
        if time.monotonic() > deadline:
            proc.kill()
            raise TimeoutError(f"{args} did not end in {timeout}s")
    os.close(leader)
    code = proc.wait(timeout=timeout)
    text = b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
    return code, _ANSI.sub("", text)
