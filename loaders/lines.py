"""Physical line numbers of a file's records.

DuckDB's CSV reader tells where a rejected record starts (a byte offset) but
not where a landed one does. Most files hold one record per line, and then the
line of the k-th landed record follows from the rejected lines alone. Files
with blank lines or line breaks inside quoted values take a slower pass that
walks the records with Python's csv module.
"""

from __future__ import annotations

import bisect
import csv
from itertools import repeat

# A line this long may hold more fields than DuckDB's reader can reject quickly
# (it reports every extra field of a row: minutes for 200,000 of them); the
# file's widest line is then measured before parsing (land.py).
LONG_LINE = 16 << 10


def newline_offsets(path: str, chunk: int = 8 << 20) -> list[int]:
    """Byte offset of every b'\\n' in the file, in order."""
    offsets: list[int] = []
    base = 0
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            start = block.find(b"\n")
            while start != -1:
                offsets.append(base + start)
                start = block.find(b"\n", start + 1)
            base += len(block)
    return offsets


class LineCounter:
    """Lines of a file fed block by block, so a pass reading it anyway (the checksum) counts them too.

    It also notes whether some line may be long (`long_line`): true for every
    line of LONG_LINE bytes or more, and for some half as long. It looks for a
    newline in every half-LONG_LINE window (a few hundred finds per 4 MB).
    """

    def __init__(self) -> None:
        self.newlines, self.size, self.last = 0, 0, b""
        self.long_line = False
        self._run = 0   # bytes since the last newline

    def update(self, block: bytes) -> None:
        self.newlines += block.count(b"\n")
        self.size += len(block)
        self.last = block[-1:] or self.last
        if not self.long_line:
            self._look_for_long_line(block)

    def _look_for_long_line(self, block: bytes) -> None:
        first = block.find(b"\n")
        if first == -1:
            self._run += len(block)
            self.long_line = self._run >= LONG_LINE
            return
        last = block.rfind(b"\n")
        half = LONG_LINE // 2
        # A line of LONG_LINE bytes between the first and last newline holds a whole window.
        self.long_line = self._run + first >= LONG_LINE or any(
            block.find(b"\n", start, start + half) == -1 for start in range(first + 1, last - half + 1, half))
        self._run = len(block) - last - 1

    @property
    def unterminated(self) -> bool:
        return self.size > 0 and self.last != b"\n"

    @property
    def lines(self) -> int:
        return self.newlines + (1 if self.unterminated else 0)


def count_lines(path: str, chunk: int = 8 << 20) -> tuple[int, bool]:
    """(number of lines, whether the file ends without a newline)."""
    counter = LineCounter()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            counter.update(block)
    return counter.lines, counter.unterminated


def widest_line(path: str, delimiter: str, chunk: int = 8 << 20) -> int:
    """The most fields a line of the file can have: its delimiters + 1 (quoting ignored, so an upper bound)."""
    sep, widest, carry = delimiter.encode(), 0, 0
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            counts = list(map(bytes.count, block.split(b"\n"), repeat(sep)))
            counts[0] += carry
            carry = counts.pop()
            widest = max(widest, *counts, 0)
    return max(widest, carry) + 1


def line_of_offset(newlines: list[int], offset: int) -> int:
    """1-based line holding byte `offset`."""
    return bisect.bisect_left(newlines, offset) + 1


def record_start_lines(path: str, delimiter: str, quote: str, skip_lines: int, encoding: str = "utf-8") -> list[int]:
    """Line on which each non-blank record starts, after `skip_lines` lines."""
    starts: list[int] = []
    with open(path, "r", encoding=encoding, errors="replace", newline="") as handle:
        for _ in range(skip_lines):
            handle.readline()
        reader = csv.reader(handle, delimiter=delimiter, quotechar=quote, strict=False)
        line = skip_lines
        while True:
            start = line + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error:
                break
            line = skip_lines + reader.line_num
            if row and any(field != "" for field in row) or len(row) > 1:
                starts.append(start)
    return starts


def landed_lines(landed_count: int, rejected_lines: set[int], starts: list[int]) -> list[int]:
    """Line of each landed record, in file order, given every record's first line."""
    return [n for n in starts if n not in rejected_lines][:landed_count]
