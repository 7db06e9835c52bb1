"""Ctrl-C and SIGTERM: a run stops where it is, rolls back the file in progress and ends `cancelled`.

SIGTERM (kill, systemd stop, a container stopping) is turned into the same
KeyboardInterrupt as Ctrl-C. DuckDB turns an interrupt that arrives during
a query into its own error ("Query interrupted"); `interrupted` recognises
every form. The bookkeeping after an interrupt (marking the file in
progress, ending the run's row) runs with the signals held back, so a
second Ctrl-C cannot cut it in half; they are delivered right after.
"""

from __future__ import annotations

import os
import signal
import sys
from contextlib import contextmanager

import duckdb

EXIT_INTERRUPTED = 130   # 128 + SIGINT, what shells report for Ctrl-C
_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def install() -> None:
    """SIGTERM ends the process like Ctrl-C does (the default would kill it without cleanup)."""
    signal.signal(signal.SIGTERM, _raise_interrupt)


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def interrupted(exc: BaseException) -> bool:
    """Whether `exc` is an interrupt, as Python or DuckDB raises it."""
    if isinstance(exc, (KeyboardInterrupt, duckdb.InterruptException)):
        return True
    return isinstance(exc, RuntimeError) and str(exc).strip() == "Query interrupted"


@contextmanager
def deferred_signals():
    """Hold Ctrl-C and SIGTERM back during a short piece of bookkeeping; they arrive when it is done."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def exit_interrupted() -> None:
    """End the process with EXIT_INTERRUPTED once an interrupted run has cleaned up.

    Once an interrupt has passed through dbt (run in-process), CPython ends
    the process by re-raising SIGINT at exit: status -2 instead of 130
    (seen with dbt-core 1.11 and Python 3.11). By now everything is
    committed and reported, so the streams are flushed and the process ends
    here with the code scripts expect.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(EXIT_INTERRUPTED)
