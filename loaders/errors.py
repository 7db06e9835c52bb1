"""Errors the user can act on. The CLI prints them on one line, no traceback."""

from __future__ import annotations

import errno
import re


class LoaderError(Exception):
    """A problem with the project, a source declaration or the warehouse."""


class FileError(LoaderError):
    """A delivered file that cannot be landed at all (it lands nothing)."""

    def __init__(self, path: str, problem: str, line: int | None = None):
        self.path = path
        self.problem = problem
        self.line = line
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {problem}")


class RunInProgress(LoaderError):
    """Another run holds the warehouse lock."""


class UsageProblem(LoaderError):
    """The command line asks for something that does not exist (exit code 2, like click's own)."""


class UnknownFormat(LoaderError):
    """A format name with no declaration: bad usage on the command line, a broken source in YAML."""


class DiskFull(LoaderError):
    """No space left where the run writes: it stops, the file being landed rolled back."""


_FULL = (errno.ENOSPC, errno.EDQUOT)
_DUCKDB_PATH = re.compile(r'(?:file|to) "([^"]+)"')


def disk_full(exc: BaseException) -> DiskFull | None:
    """The DiskFull an exception means (an OSError, or DuckDB's own words for it), or None."""
    if isinstance(exc, DiskFull):
        return exc
    if isinstance(exc, OSError) and exc.errno in _FULL:
        where = exc.filename or "a file"
        return DiskFull(f"no space left on device writing {where}")
    text = str(exc)
    if "No space left on device" in text or "Disk quota exceeded" in text:
        found = _DUCKDB_PATH.search(text)
        return DiskFull(f"no space left on device writing {found.group(1) if found else 'the warehouse'}")
    return None


def did_you_mean(given: str, known) -> str:
    """`; did you mean X?` for the closest known name, or nothing (click's own wording for commands)."""
    import difflib

    close = difflib.get_close_matches(given, sorted(known), n=1, cutoff=0.6)
    return f"; did you mean {close[0]}?" if close else ""


def missing_extra(extra: str, exc: ImportError) -> LoaderError:
    """A feature whose libraries are an install extra (pyproject.toml) the user did not install."""
    return LoaderError(f"{exc.name or exc}: not installed; this needs the `{extra}` extra: "
                       f"pip install 'retail-imports[{extra}]' (or `make setup`, which installs every extra)")
