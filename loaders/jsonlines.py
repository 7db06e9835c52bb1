"""Read a JSON lines file into the temp tables land_file stores from.

Every object becomes a record: every key a text column (nested values as
JSON text), and the object itself in `_record` so staging can tell 2 from
"2" (JSON keeps its types). DuckDB reads and validates the lines; Python
looks only at the lines DuckDB cannot settle. Two syntaxes, declared by the
format (`file.json_syntax`, formats.JSON_SYNTAXES):

- `strict` (the default) is JSON Lines: each line one JSON object (RFC
  8259) and nothing else. DuckDB's parser also takes trailing commas and
  NaN, so lines that may hold them are checked again with Python's json
  module. Anything else is rejected with its line and reason: a comma
  after the object, single quotes, an array bracket.
- `json5_rows` is a leniency for a vendor that writes rows that way: the
  conversion vendor's "JSON rows" (spec 002) are JSON5 objects (single
  quotes, a comma after each), one or more on a line, possibly inside
  `[ ]`. Lines strict JSON cannot read go to a JSON5 parser (pyjson5),
  object by object; several objects on a line share its line number, and
  what cannot be read from some point of a line on is rejected with that
  line and the reason.
"""

from __future__ import annotations

import io
import json
import re

import duckdb
import pyjson5

from . import reasons
from .errors import FileError
from .interrupts import interrupted
from .sniff import raw_column_names
from .sql import literal

RECORD_COLUMN = "_record"
# A line {"_refused": {"reason": ..., "text": ...}} records input a collector
# could not take as an event (formats with file option refused_lines): it is
# rejected with that reason, and the text as sent.
REFUSED_KEY = "_refused"

# Lines DuckDB validates but strict JSON may not: a comma before } or ], NaN, Infinity.
_SUSPECT = r"(?i),\s*[}\]]|nan|inf"


def parse_json_lines(con, path: str, max_line_bytes: int, syntax: str = "strict", refused_lines: bool = False,
                     keep_record: bool = True) -> tuple[list[str], list[str | None], int, list[tuple], str | None]:
    """Fill _parsed (c0..cN, ordinality) and _lines; return (columns, keys, landed, rejects, note).

    keys: each column's key in the record (None for the record itself, c0).
    keep_record=False leaves out `_record` (nested exports: their records are
    whole in the key columns, and staging reads no JSON types from the line).
    """
    _read_lines(con, path)
    con.execute(
        f"""create or replace temp table _json_lines as
            select line_number, text, rec, null::varchar as reason,
                   case when not is_utf8 then 'not utf-8'
                        when rec = '' then 'blank'
                        when strlen(text) > {int(max_line_bytes)} then 'too long'
                        when not json_valid(rec) then 'invalid'
                        when {'true' if refused_lines else 'false'} and json_type(rec) = 'OBJECT'
                             and json_exists(rec, {literal('$.' + REFUSED_KEY)}) then 'refused'
                        when regexp_matches(rec, {literal(_SUSPECT)}) then 'suspect'
                        when json_type(rec) = 'OBJECT' then 'object'
                        else lower(json_type(rec)) end as kind
            from (select line_number, text, is_utf8, trim(text) as rec from _json_text)"""
    )
    con.execute("drop table _json_text")   # large files: keep one copy of the text at a time
    _check_strict(con)
    con.execute("create or replace temp table _json_extra (line_number bigint, position integer, rec varchar)")
    tails: list[tuple] = []
    if syntax == "json5_rows":
        tails = _read_json5_rows(con)
    else:
        _explain_invalid(con)
    rejects = sorted([
        (line, None, _ERROR_TYPES.get(kind, reasons.NOT_AN_OBJECT), reason or _reason(kind),
         sent if kind == "refused" else text)
        for line, kind, reason, text, sent in con.execute(
            f"""select line_number, kind,
                       case when kind = 'refused'
                            then json_extract_string(rec, {literal(f'$.{REFUSED_KEY}.reason')}) else reason end,
                       text,
                       case when kind = 'refused' then json_extract_string(rec, {literal(f'$.{REFUSED_KEY}.text')}) end
                from _json_lines where kind not in ('blank', 'object', 'json5')"""
        ).fetchall()
    ] + tails, key=lambda r: r[0])
    con.execute(
        """create or replace temp table _json_records as
           select line_number, rec::json as j, row_number() over (order by line_number, position) as ordinality
           from (select line_number, 0 as position, rec from _json_lines where kind = 'object'
                 union all
                 select line_number, position, rec from _json_extra)"""
    )
    json5_lines = con.execute("select count(*) from _json_lines where kind = 'json5'").fetchone()[0]
    con.execute("drop table _json_lines; drop table _json_extra")
    keys = [k for (k,) in con.execute(
        """select key from (
               select k.key, min(r.ordinality) as first_record, min(k.position) as position
               from _json_records r, unnest(json_keys(r.j)) with ordinality as k(key, position)
               group by k.key)
           order by first_record, position, key"""
    ).fetchall()]
    first = 1 if keep_record else 0
    columns = raw_column_names([RECORD_COLUMN, *keys] if keep_record else keys)
    extracts = [f"json_extract_string(j, {literal(_path(key))}) as c{i}" for i, key in enumerate(keys, start=first)]
    if keep_record:
        extracts.insert(0, "cast(j as varchar) as c0")
    con.execute(
        f"""create or replace temp table _parsed as
            select {', '.join(extracts) + ',' if extracts else ''} ordinality
            from _json_records"""
    )
    con.execute("create or replace temp table _lines as select ordinality, line_number from _json_records")
    landed = con.execute("select count(*) from _parsed").fetchone()[0]
    con.execute("drop table _json_records")
    note = f"{json5_lines} line{'' if json5_lines == 1 else 's'} read as JSON5 rows" if json5_lines else None
    return columns, ([None, *keys] if keep_record else keys), landed, rejects, note


def _read_lines(con, path: str) -> None:
    """_json_text(line_number, text): every physical line; DuckDB's reader when the file is valid UTF-8."""
    try:
        # two unnests in one select list zip element by element (an unnest
        # `with ordinality` of one huge list runs out of memory)
        con.execute(
            f"""create or replace temp table _json_text as
                select n as line_number, regexp_replace(rtrim(line, chr(13)), '^\ufeff', '') as text,
                       true as is_utf8
                from (
                    select unnest(lines) as line, unnest(range(1, len(lines) + 1)) as n
                    from (select string_split(content, chr(10)) as lines from read_text({literal(path)}))
                )"""
        )
        return
    except duckdb.InvalidInputException:
        pass  # bytes that are not UTF-8: read line by line below, and reject only those lines
    except duckdb.Error as exc:
        if interrupted(exc):   # Ctrl-C: the run is cancelled, the file is not broken
            raise KeyboardInterrupt from None
        raise FileError(path, f"cannot be read: {str(exc).strip().splitlines()[0]}") from None
    numbers, texts, valid = [], [], []
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            raw = raw.rstrip(b"\r\n").removeprefix(b"\xef\xbb\xbf")
            try:
                texts.append(raw.decode("utf-8"))
                valid.append(True)
            except UnicodeDecodeError:
                texts.append(raw.decode("utf-8", errors="replace"))
                valid.append(False)
            numbers.append(number)
    con.execute("create or replace temp table _json_text (line_number bigint, text varchar, is_utf8 boolean)")
    con.execute(
        "insert into _json_text select unnest($1::bigint[]), unnest($2::varchar[]), unnest($3::boolean[])",
        [numbers, texts, valid],
    )


def _check_strict(con) -> None:
    """Settle the lines DuckDB accepted but strict JSON may not (trailing commas, NaN) with Python's json."""
    settled = []
    for line, rec in con.execute("select line_number, rec from _json_lines where kind = 'suspect'").fetchall():
        reason = strict_json_problem(rec)
        settled.append((line, "invalid", reason) if reason else (line, _kind(json.loads(rec)), None))
    _update(con, settled)


def _explain_invalid(con) -> None:
    """Each invalid line's reason, in the words of Python's strict JSON parser."""
    rows = con.execute("select line_number, rec from _json_lines where kind = 'invalid' and reason is null").fetchall()
    _update(con, [(line, "invalid", strict_json_problem(rec)) for line, rec in rows])


def strict_json_problem(text: str) -> str | None:
    """Why `text` is not strict JSON (RFC 8259), or None when it is."""
    try:
        json.loads(text, parse_constant=_refuse_constant)
    except _NotJson as exc:
        return f"not valid JSON: {exc} is not a JSON number"
    except json.JSONDecodeError as exc:
        before = text[:exc.pos].rstrip()
        if exc.msg == "Extra data" and text[exc.pos:].lstrip().startswith(","):
            return "not valid JSON: a comma after the object (JSON lines hold one object per line, nothing after it)"
        if text[exc.pos:exc.pos + 1] in ("}", "]") and before.endswith(","):
            return f"not valid JSON: a trailing comma before '{text[exc.pos]}' (character {len(before)})"
        problem = re.sub(r"\s+at$", "", exc.msg.lower())   # "Unterminated string starting at": the position follows
        return f"not valid JSON: {problem} at character {exc.pos + 1}"
    return None


class _NotJson(ValueError):
    pass


def _refuse_constant(name: str):
    raise _NotJson(name)


def _read_json5_rows(con) -> list[tuple]:
    """Read the lines strict JSON could not as JSON5 rows; return the rejects of what was left unread."""
    extra, settled, tails = [], [], []
    for line, text in con.execute("select line_number, text from _json_lines where kind = 'invalid'").fetchall():
        objects, tail = json5_rows(text)
        extra += [(line, position, rec) for position, rec in enumerate(objects, start=1)]
        if tail and not objects:
            settled.append((line, "invalid", tail[1]))
            continue
        settled.append((line, "json5" if objects else "blank", None))
        if tail:
            tails.append((line, None, reasons.INVALID_JSON, tail[1], tail[0]))
    _update(con, settled)
    if extra:
        con.execute(
            "insert into _json_extra select unnest($1::bigint[]), unnest($2::integer[]), unnest($3::varchar[])",
            [[e[0] for e in extra], [e[1] for e in extra], [e[2] for e in extra]],
        )
    return tails


def json5_rows(text: str) -> tuple[list[str], tuple[str, str] | None]:
    """The objects of one line of JSON rows, as strict JSON texts, and what could not be read.

    A line holds objects separated by commas, a comma after the last one
    allowed, and may open with `[` or close with `]` (an array written one
    object per line). Returns (objects, None), or (objects read before the
    problem, (the text from the problem on, the reason)).
    """
    stream = io.StringIO(text)
    position = _skip_blanks(text, 0)
    if text.startswith("[", position):
        position = _skip_blanks(text, position + 1)
    objects: list[str] = []
    while position < len(text) and text[position] != "]":
        stream.seek(position)
        try:
            value = pyjson5.decode_io(stream, some=True)
        except pyjson5.Json5Exception as exc:
            problem = re.sub(r" near \d+", "", str(exc.args[0])).replace("b'JSON5Value'", "a value")
            problem = re.sub(r"U\+([0-9A-Fa-f]{4,6})", lambda m: repr(chr(int(m.group(1), 16))), problem)
            return objects, (text[position:], f"not valid JSON5 from character {position + 1}: {problem}")
        if not isinstance(value, dict):
            return objects, (text[position:], f"a JSON {_kind(value)}, not an object (JSON rows hold objects)")
        try:
            objects.append(json.dumps(value, ensure_ascii=False, allow_nan=False))
        except ValueError:
            return objects, (text[position:], "a number JSON cannot hold (NaN or Infinity)")
        position = _skip_blanks(text, stream.tell())
        if text.startswith(",", position):
            position = _skip_blanks(text, position + 1)
        elif position < len(text) and text[position] != "]":
            return objects, (text[position:], f"a comma expected between objects at character {position + 1}")
    rest = text[position + 1:].strip(" \t,") if position < len(text) else ""
    if rest:
        return objects, (text[position:], "text after the closing ']'")
    return objects, None


def _skip_blanks(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\ufeff":
        position += 1
    return position


def _update(con, settled: list[tuple]) -> None:
    """Set (line_number, kind, reason) of settled lines."""
    if not settled:
        return
    con.execute(
        """update _json_lines set kind = s.kind, reason = s.reason
           from (select unnest($1::bigint[]) as line_number, unnest($2::varchar[]) as kind,
                        unnest($3::varchar[]) as reason) as s
           where _json_lines.line_number = s.line_number""",
        [[s[0] for s in settled], [s[1] for s in settled], [s[2] for s in settled]],
    )


def _kind(value) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


def _path(key: str) -> str:
    """JSONPath of one key, whatever characters it holds."""
    return '$."' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


_ERROR_TYPES = {"invalid": reasons.INVALID_JSON, "too long": reasons.LINE_TOO_LONG,
                "not utf-8": reasons.INVALID_ENCODING, "refused": reasons.REFUSED}


def _reason(kind: str) -> str:
    code = _ERROR_TYPES.get(kind)
    return reasons.LOADER[code].text if code else reasons.not_an_object(kind)
