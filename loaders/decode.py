"""From a delivered file to local UTF-8 files that land_file can read.

A delivery is decompressed by its name (`.gz`, `.zip`; or the source's
`compression:`), every member of a zip becoming a file of its own named
`<archive>/<member>`, then transcoded to UTF-8 from the source's
`encoding:` (default UTF-8; `auto` detects it). Two guards: members are
never written under their own names (a `../` name cannot escape, and is
refused anyway), and unpacking stops at a size and a compression ratio
(zip and gzip bombs).

Transcoding keeps bytes the declared encoding cannot read as they are, so
DuckDB rejects exactly those records as invalid UTF-8, with their line:
nothing is replaced by a guess and nothing is lost.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import os
import re
import stat
import zipfile
import zlib
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from fnmatch import fnmatch
from typing import Callable, Iterator

from . import encodings
from .errors import FileError, LoaderError, disk_full
from .lines import LineCounter
from .tempdirs import private_folder

CHUNK = 1 << 20
DEFAULT_MAX_UNPACKED_BYTES = 16 << 30   # per delivery, all members together
DEFAULT_MAX_RATIO = 250                 # unpacked / packed, checked once past RATIO_FLOOR
RATIO_FLOOR = 16 << 20                  # small files can have silly ratios and do no harm
DEFAULT_MAX_MEMBERS = 10_000
_DETECT_SAMPLE = 1 << 20
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass
class Unit:
    """One landable file of a delivery (the delivery itself, or one archive member)."""

    name: str                   # as recorded in _source_file and the manifest
    date_names: tuple[str, ...]  # names to read the file date from, first one with a date wins
    path: str | None = None     # local UTF-8 file (None when error is set)
    size: int = 0               # bytes as delivered (a member: unpacked)
    checksum: str | None = None  # SHA-256 of the content, unpacked, before transcoding
    lines: int | None = None    # lines of the file at `path`, counted with the checksum (None: not counted)
    long_lines: bool | None = None  # some line may be long (lines.LineCounter); None: not known
    encoding: str = "utf-8"
    detected: bool = False      # the encoding was auto-detected
    doubt: str | None = None    # why the detected encoding may be wrong (None: confident)
    error: FileError | None = None


@dataclass(frozen=True)
class Limits:
    max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED_BYTES
    max_ratio: float = DEFAULT_MAX_RATIO
    max_members: int = DEFAULT_MAX_MEMBERS

    @classmethod
    def from_options(cls, options: dict) -> "Limits":
        try:
            return cls(int(options.get("max_unpacked_bytes", DEFAULT_MAX_UNPACKED_BYTES)),
                       float(options.get("max_compression_ratio", DEFAULT_MAX_RATIO)),
                       int(options.get("max_archive_members", DEFAULT_MAX_MEMBERS)))
        except (TypeError, ValueError) as exc:
            raise LoaderError(f"unpacking limits must be numbers: {exc}") from None


def compression_of(name: str, option: str | None) -> str:
    option = (option or "auto").lower()
    if option not in ("auto", "none", "gzip", "zip"):
        raise LoaderError(f"compression {option!r}: expected auto, none, gzip or zip")
    if option != "auto":
        return option
    lower = name.lower()
    if lower.endswith((".gz", ".gzip")):
        return "gzip"
    if lower.endswith(".zip"):
        return "zip"
    return "none"


def units(path: str, name: str, options: dict, workdir: str) -> Iterator[Unit]:
    """The landable files of one delivery at local `path`, each decoded to UTF-8 in `workdir`.

    Each unit's files are removed when the next one is asked for, so a large
    archive never needs all its members on disk at once. A delivery that
    cannot be opened at all raises FileError; a member that cannot be read
    comes back as a unit with its error.
    """
    limits = Limits.from_options(options)
    encoding = options.get("encoding")
    kind = compression_of(name, options.get("compression"))
    packed = os.path.getsize(path)
    if kind == "zip":
        yield from _zip_units(path, name, packed, encoding, options.get("archive_members") or "*", limits, workdir)
        return
    if kind == "gzip":
        with open(path, "rb") as handle:
            if handle.read(2) != b"\x1f\x8b":
                raise FileError(name, "not gzip data (the name ends in .gz; set compression: none if it is plain)")
        content = os.path.join(workdir, "content")
        try:
            with gzip.open(path, "rb") as source:
                digest, size, counter = _unpack(source, content, packed, limits.max_unpacked_bytes, limits, name)
        except (OSError, EOFError, zlib.error) as exc:
            if disk_full(exc):
                raise
            raise FileError(name, f"gzip data is damaged: {exc}") from None
    else:
        counter = LineCounter()
        content, size, digest = path, packed, checksum(path, counter.update)
    yield _decoded(Unit(name, (name,), size=size, checksum=digest, lines=counter.lines,
                        long_lines=counter.long_line), content, encoding, workdir)


def _zip_units(path: str, name: str, packed: int, encoding, member_glob: str, limits: Limits,
               workdir: str) -> Iterator[Unit]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileError(name, f"not a readable zip archive: {exc}") from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir() and not m.filename.startswith("__MACOSX/")
                   and fnmatch(m.filename.rsplit("/", 1)[-1], member_glob)]
        if not members:
            raise FileError(name, f"archive has no member matching {member_glob!r}")
        if len(members) > limits.max_members:
            raise FileError(name, f"archive has {len(members)} members, more than max_archive_members "
                                  f"({limits.max_members})")
        twice = [member for member, count in Counter(m.filename for m in members).items() if count > 1]
        if twice:
            # Unzip tools keep one and drop the other without a word; which one the
            # retailer meant cannot be known, and landing both could double rows.
            raise FileError(name, f"archive holds more than one member named {', '.join(map(repr, twice))}: "
                                  "refused, nothing of it was landed (ask for an archive with distinct names)")
        budget = limits.max_unpacked_bytes
        for number, member in enumerate(members, start=1):
            unit = Unit(f"{name}/{member.filename}", (member.filename, name))
            problem = _unsafe_member(member)
            if problem:
                unit.error = FileError(unit.name, problem)
                yield unit
                continue
            content = os.path.join(workdir, f"member-{number}")
            try:
                with archive.open(member) as source:
                    unit.checksum, unit.size, counter = _unpack(source, content, max(member.compress_size, 1),
                                                                budget, limits, unit.name)
                unit.lines, unit.long_lines = counter.lines, counter.long_line
                budget -= unit.size
                if member.filename.lower().endswith((".gz", ".gzip", ".zip")):
                    raise FileError(unit.name, "a compressed file inside an archive is not unpacked again; "
                                               "deliver it on its own")
                yield _decoded(unit, content, encoding, workdir)
            except FileError as exc:
                unit.error, unit.path = exc, None
                yield unit
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError, NotImplementedError) as exc:
                # RuntimeError: encrypted member; NotImplementedError: unknown compression method
                if disk_full(exc):
                    raise
                unit.error, unit.path = FileError(unit.name, f"member cannot be unpacked: {exc}"), None
                yield unit
            finally:
                _remove(content, content + ".utf8")


def _unsafe_member(member: zipfile.ZipInfo) -> str | None:
    """Names that would escape a folder if extracted (zip slip), and links: refused, never written."""
    name = member.filename
    parts = re.split(r"[\\/]", name)
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in parts:
        return f"unsafe member name {name!r} (absolute or with '..'): not unpacked"
    if stat.S_ISLNK(member.external_attr >> 16):
        return f"member {name!r} is a symbolic link: not unpacked"
    return None


def _unpack(source, dest: str, packed: int, budget: int, limits: Limits, name: str) -> tuple[str, int, LineCounter]:
    """Copy a decompressing stream to dest, hashing it and counting its lines, within the size and ratio limits.

    `budget` is what is left of max_unpacked_bytes for this delivery. The
    limits are checked on the bytes actually produced: an archive's header
    can claim any size.
    """
    digest, written, counter = hashlib.sha256(), 0, LineCounter()
    with _writing(dest) as out:
        while block := source.read(CHUNK):
            written += len(block)
            if written > budget:
                raise FileError(name, f"unpacks to more than max_unpacked_bytes ({limits.max_unpacked_bytes} bytes): "
                                      "refused as a possible decompression bomb (raise the limit in meta.loader "
                                      "if the file is genuine)")
            if written > RATIO_FLOOR and written / packed > limits.max_ratio:
                raise FileError(name, f"compression ratio above max_compression_ratio ({limits.max_ratio:g}): "
                                      "refused as a possible decompression bomb (raise the limit in meta.loader "
                                      "if the file is genuine)")
            digest.update(block)
            counter.update(block)
            out.write(block)
    return digest.hexdigest(), written, counter


def _decoded(unit: Unit, content: str, encoding, workdir: str) -> Unit:
    """Fill unit.path with a UTF-8 version of `content` (the same file when it already is UTF-8)."""
    wanted = str(encoding or "utf-8").strip().lower()
    if unit.size == 0:
        unit.path = content  # land_file says "file is empty" in its own words
        return unit
    if wanted == "auto":
        try:
            unit.encoding, unit.doubt = detect(content)
        except FileError as exc:
            raise FileError(unit.name, exc.problem) from None
        unit.detected = True
    else:
        try:
            unit.encoding = codecs.lookup(wanted).name
        except LookupError:
            raise LoaderError(f"{unit.name}: unknown encoding {encoding!r} (use a Python codec name, e.g. "
                              "cp1252, latin-1, utf-16, or auto)") from None
        bom = _bom(content)
        if bom and unit.encoding == "utf-8" and bom[1] != "utf-8":
            unit.encoding = bom[1]  # a UTF-16/32 byte-order mark cannot be mistaken
    if unit.encoding == "utf-8":
        unit.path = content  # DuckDB reads UTF-8 itself and skips a UTF-8 BOM
        return unit
    unit.path = content + ".utf8" if content.startswith(workdir) else os.path.join(workdir, "content.utf8")
    # counted on the bytes before transcoding, which UTF-16 spells differently
    unit.lines = unit.long_lines = None
    transcode(content, unit.path, unit.encoding)
    return unit


def detect(path: str) -> tuple[str, str | None]:
    """(encoding, doubt): a byte-order mark, else valid UTF-8, else the most plausible code page (encodings.py).

    doubt says why the code page may be wrong, None when the choice is clear.
    """
    bom = _bom(path)
    if bom:
        return bom[1], None
    with open(path, "rb") as handle:
        head = handle.read(1 << 16)
    if b"\x00" not in head and _is_utf8(path):
        return "utf-8", None
    sample, lines = _non_ascii_sample(path)
    if b"\x00" not in sample:
        found = encodings.guess(sample, lines)
        return found.encoding, found.uncertain
    # NUL bytes: UTF-16/32 without a byte-order mark, which charset-normalizer recognises
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is None:
        raise FileError(path, "encoding cannot be detected; set the source's `encoding:`")
    return codecs.lookup(best.encoding).name, None


def transcode(source: str, dest: str, encoding: str) -> None:
    """Rewrite `source` as UTF-8 without BOM; undecodable bytes pass through unchanged (and get rejected)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="surrogateescape")
    skip_bom = _bom(source)
    with open(source, "rb") as src, _writing(dest) as out:
        if skip_bom:
            src.read(len(skip_bom[0]))
            decoder = codecs.getincrementaldecoder(skip_bom[1])(errors="surrogateescape")
        while block := src.read(CHUNK):
            out.write(decoder.decode(block).encode("utf-8", errors="surrogateescape"))
        out.write(decoder.decode(b"", final=True).encode("utf-8", errors="surrogateescape"))


@contextmanager
def _writing(path: str) -> Iterator:
    """open(path, "wb"), whose write errors name the file (a write's OSError does not: disk full must)."""
    try:
        with open(path, "wb") as handle:
            yield handle
    except OSError as exc:
        if exc.filename is None:
            raise OSError(exc.errno, exc.strerror, path) from None
        raise


def _bom(path: str) -> tuple[bytes, str] | None:
    with open(path, "rb") as handle:
        head = handle.read(4)
    for mark, name in _BOMS:
        if head.startswith(mark):
            return mark, name
    return None


def _is_utf8(path: str) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as handle:
            while block := handle.read(CHUNK):
                decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _non_ascii_sample(path: str) -> tuple[bytes, list[int]]:
    """The lines that hold non-ASCII bytes (what tells encodings apart), up to a megabyte, and their line numbers."""
    lines, numbers, total = [], [], 0
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            if max(line, default=0) > 0x7F or b"\x00" in line:
                lines.append(line if line.endswith(b"\n") else line + b"\n")
                numbers.append(number)
                total += len(line)
                if total > _DETECT_SAMPLE:
                    break
    return b"".join(lines), numbers


def checksum(path: str, on_block: Callable[[bytes], None] | None = None) -> str:
    """SHA-256 of a file; on_block sees every block too (to count lines in the same pass)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(4 * CHUNK):
            digest.update(block)
            if on_block:
                on_block(block)
    return digest.hexdigest()


def _remove(*paths: str) -> None:
    for path in paths:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


def workdir():
    """A private temporary folder for one delivery (removed with everything in it), under $TMPDIR."""
    return private_folder()

