"""Text from deliveries made safe to print in a terminal.

File names, header fields, rejected rows and messages quoting them come from
whoever wrote the file. Printed as they are, an escape sequence could move
the cursor, rewrite earlier lines or retitle the terminal, a bidi control
could reorder what is read, and `[...]` would be taken as Rich markup. So
every such value goes through `plain` (control and bidi characters shown
as escapes: `\\x1b`, `\\n`, `\\u202e`) and, where Rich interprets markup,
`markup` (plain, then Rich's escape).
"""

from __future__ import annotations

import re

from rich.markup import escape

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def plain(value) -> str:
    """`value` as text with every control, bidi and line-separator character written as an escape."""
    text = "" if value is None else str(value)
    return _CONTROL.sub(lambda m: _NAMED.get(m.group(0)) or _escape(m.group(0)), text)


def markup(value) -> str:
    """plain(value), and Rich markup in it escaped: safe inside a string Rich renders."""
    return escape(plain(value))


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

