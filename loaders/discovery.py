"""Find a source's delivered files and the date each file name carries."""

from __future__ import annotations

import glob
import hashlib
import os
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from .errors import FileError, LoaderError
from .formats import FileDatePattern
from .project import Source


@dataclass(frozen=True)
class DeliveredFile:
    path: str
    size: int

    @property
    def name(self) -> str:
        return os.path.basename(self.path)


def discover(source: Source) -> list[DeliveredFile]:
    """Files matching the source's location glob, oldest file name first."""
    if "://" in source.location:
        raise LoaderError(
            f"{source.key}: location {source.location!r} is remote; only local folders are supported yet"
        )
    pattern = source.location
    if os.path.isdir(pattern):
        pattern = os.path.join(pattern, "*")
    paths = [p for p in glob.glob(pattern, recursive=True) if os.path.isfile(p)]
    return [DeliveredFile(p, os.path.getsize(p)) for p in sorted(paths, key=os.path.basename)]


def file_date(path: str, pattern: FileDatePattern | None) -> date | None:
    """The date in the file's name, per the format's pattern.

    The name must hold exactly one date, and a real one: 20240230 is refused
    rather than guessed, since every event in the file is filed under it.
    """
    if pattern is None:
        return None
    name = os.path.basename(path)
    found = re.findall(pattern.regex, name)
    if not found:
        raise FileError(path, f"file name has no date matching {pattern.regex!r} ({pattern.format})")
    if len(set(found)) > 1:
        raise FileError(path, f"file name holds more than one date: {', '.join(sorted(set(found)))}")
    raw = found[0] if isinstance(found[0], str) else found[0][0]
    try:
        return datetime.strptime(raw, pattern.format).date()
    except ValueError:
        raise FileError(path, f"file name date {raw!r} is not a real date ({pattern.format})") from None


def checksum(path: str, chunk: int = 4 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def relative_name(path: str, project_dir: Path) -> str:
    """How a file is named in the warehouse: relative to the project when inside it."""
    try:
        return str(Path(path).resolve().relative_to(project_dir))
    except ValueError:
        return str(Path(path).resolve())
