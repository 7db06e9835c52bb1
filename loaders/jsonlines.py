"""Read a JSON lines file into the temp tables land_file stores from.

One object per line, every key a text column (nested values as JSON text),
and the line itself in `_record` so staging can tell 2 from "2" (JSON lines
keep their types). DuckDB reads and validates the lines; Python only looks at
the lines DuckDB cannot read. Tolerated, because vendors document them:
a trailing comma after an object (the conversion vendor's "JSON rows"), the
`[` and `]` of an array written one object per line, and objects written
with single quotes like the vendor's own example (`{'url': 'https://...'}`).
Anything else that is not one JSON object on one line is rejected with its
line number and reason.
"""

from __future__ import annotations

import ast
import json

import duckdb

from . import reasons
from .errors import FileError
from .sniff import raw_column_names
from .sql import literal

RECORD_COLUMN = "_record"
# A line {"_refused": {"reason": ..., "text": ...}} records input a collector
# could not take as an event (formats with file option refused_lines): it is
# rejected with that reason, and the text as sent.
REFUSED_KEY = "_refused"

# What is left of a line once array brackets and a trailing comma are taken off.
_CLEAN = r"""regexp_replace(regexp_replace(regexp_replace(trim(text), '^\[\s*\{', '{'),
                                           '\}\s*\]\s*,?$', '}'), ',\s*$', '')"""


def parse_json_lines(con, path: str, max_line_bytes: int, refused_lines: bool = False, keep_record: bool = True,
                     ) -> tuple[list[str], list[str | None], int, list[tuple], str | None]:
    """Fill _parsed (c0..cN, ordinality) and _lines; return (columns, keys, landed, rejects, note).

    keys: each column's key in the record (None for the record itself, c0).
    keep_record=False leaves out `_record` (nested exports: their records are
    whole in the key columns, and staging reads no JSON types from the line).
    """
    _read_lines(con, path)
    con.execute(
        f"""create or replace temp table _json_lines as
            select line_number, text, is_utf8, {_CLEAN} as rec from _json_text"""
    )
    con.execute("drop table _json_text")   # large files: keep one copy of the text at a time
    repaired = _repair_single_quoted(con)
    con.execute(
        f"""create or replace temp table _json_kinds as
            select line_number, text, rec,
                   case when not is_utf8 then 'not utf-8'
                        when rec in ('', '[', ']', '[]') then 'blank'
                        when strlen(text) > {int(max_line_bytes)} then 'too long'
                        when not json_valid(rec) then 'invalid'
                        when {'true' if refused_lines else 'false'} and json_type(rec) = 'OBJECT'
                             and json_exists(rec, {literal('$.' + REFUSED_KEY)}) then 'refused'
                        when json_type(rec) = 'OBJECT' then 'object'
                        else lower(json_type(rec)) end as kind
            from _json_lines"""
    )
    con.execute("drop table _json_lines")
    rejects = [
        (line, None, _ERROR_TYPES.get(kind, reasons.NOT_AN_OBJECT), reason or _reason(kind), sent if kind == "refused" else text)
        for line, kind, text, reason, sent in con.execute(
            f"""select line_number, kind, text,
                       case when kind = 'refused' then json_extract_string(rec, {literal(f'$.{REFUSED_KEY}.reason')}) end,
                       case when kind = 'refused' then json_extract_string(rec, {literal(f'$.{REFUSED_KEY}.text')}) end
                from _json_kinds where kind not in ('blank', 'object') order by 1"""
        ).fetchall()
    ]
    con.execute(
        """create or replace temp table _json_records as
           select line_number, rec::json as j, row_number() over (order by line_number) as ordinality
           from _json_kinds where kind = 'object'"""
    )
    con.execute("drop table _json_kinds")
    keys = [k for (k,) in con.execute(
        """select key from (
               select k.key, min(r.line_number) as first_line, min(k.position) as position
               from _json_records r, unnest(json_keys(r.j)) with ordinality as k(key, position)
               group by k.key)
           order by first_line, position, key"""
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
    note = f"{repaired} line{'' if repaired == 1 else 's'} read as single-quoted objects" if repaired else None
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


def _repair_single_quoted(con) -> int:
    """Lines like {'url': 'https://a.tld', 'transactions': 1}: read as Python literals, stored as JSON."""
    broken = con.execute(
        "select line_number, rec from _json_lines where is_utf8 and rec like '{%' and not json_valid(rec)"
    ).fetchall()
    fixed = []
    for line, rec in broken:
        try:
            value = ast.literal_eval(rec)
            if isinstance(value, dict):
                fixed.append((line, json.dumps(value, ensure_ascii=False)))
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
    if fixed:
        con.execute(
            """update _json_lines set rec = f.rec
               from (select unnest($1::bigint[]) as line_number, unnest($2::varchar[]) as rec) as f
               where _json_lines.line_number = f.line_number""",
            [[n for n, _ in fixed], [r for _, r in fixed]],
        )
    return len(fixed)


def _path(key: str) -> str:
    """JSONPath of one key, whatever characters it holds."""
    return '$."' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


_ERROR_TYPES = {"invalid": reasons.INVALID_JSON, "too long": reasons.LINE_TOO_LONG,
                "not utf-8": reasons.INVALID_ENCODING, "refused": reasons.REFUSED}


def _reason(kind: str) -> str:
    code = _ERROR_TYPES.get(kind)
    return reasons.LOADER[code].text if code else reasons.not_an_object(kind)
