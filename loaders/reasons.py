"""Why a record was rejected: one stable code per reason, its text, and what to do about it.

The one home of this vocabulary. The loader stores the code in
`loader.rejects.error_type` (the codes are DuckDB's CSV error types where
DuckDB's reader finds the problem, so warehouses landed before this module
keep meaning the same) and the text, with the record's specifics, in
`reason`. The report matches problems on codes, never on English text.

Staging writes its reasons in SQL (`macros/staging/rejection_reason.sql`,
`int_order_lines__validated`) as `column: problem`; STAGING names each
problem's code and the words it starts with there (tests/loader/
test_reasons.py checks the macros still write them).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reason:
    code: str
    text: str           # what is wrong, for loader.rejects.reason and the report
    hint: str           # what to do, for the report
    per_row: bool = True    # about the whole record, never filed under a column


# Loader rejects: the record could not be read as the format says.
MISSING_COLUMNS = "MISSING COLUMNS"
TOO_MANY_COLUMNS = "TOO MANY COLUMNS"
UNQUOTED_VALUE = "UNQUOTED VALUE"
INVALID_ENCODING = "INVALID ENCODING"
LINE_TOO_LONG = "LINE SIZE OVER MAXIMUM"
INVALID_JSON = "INVALID JSON"
NOT_AN_OBJECT = "NOT AN OBJECT"
REFUSED = "REFUSED BY COLLECTOR"

_FIELDS_HINT = ("every line must have as many fields as the header: quote values holding the delimiter, "
                "and check the lines named for a missing or extra delimiter")
LOADER = {
    MISSING_COLUMNS: Reason(MISSING_COLUMNS, "wrong number of fields", _FIELDS_HINT),
    TOO_MANY_COLUMNS: Reason(TOO_MANY_COLUMNS, "wrong number of fields", _FIELDS_HINT),
    UNQUOTED_VALUE: Reason(UNQUOTED_VALUE, "bad quoting: a quoted value is not closed, or text follows a closing quote",
                           "close the quote, or double a quote inside a quoted value (\"\")"),
    INVALID_ENCODING: Reason(INVALID_ENCODING, "bytes that are not valid UTF-8 (set the source's encoding)",
                             "set the source's encoding (meta.loader.encoding, or auto) to the one the file uses"),
    LINE_TOO_LONG: Reason(LINE_TOO_LONG, "record longer than max_line_bytes (raise it in the source's meta.loader)",
                          "raise meta.loader.max_line_bytes if such long records are expected"),
    INVALID_JSON: Reason(INVALID_JSON, "not valid JSON (one object per line expected)",
                         "write one complete JSON object per line"),
    NOT_AN_OBJECT: Reason(NOT_AN_OBJECT, "not an object (one object per line expected)",
                          "write one JSON object per line, not arrays or bare values"),
    REFUSED: Reason(REFUSED, "refused by the collector",
                    "fix the sender: the collector kept what it was sent, with why it could not take it"),
}
PARSE_ERROR = Reason("PARSE ERROR", "the line could not be read", "see the reason and the lines named")


def loader_reason(code: str | None) -> Reason:
    return LOADER.get(code or "", PARSE_ERROR)


def wrong_field_count(expected: int, found: int | None = None, limit: int | None = None) -> str:
    text = LOADER[MISSING_COLUMNS].text
    if found is None:
        return f"{text} (expected {expected})"
    more = f" (more than max_columns, {limit})" if limit is not None else ""
    return f"{text}: expected {expected}, found {found}{more}"


def not_an_object(kind: str) -> str:
    return f"a JSON {kind}, {LOADER[NOT_AN_OBJECT].text}"


# Staging problems, as the macros word them after `column: `.
@dataclass(frozen=True)
class StagingProblem:
    code: str
    starts: str         # the macro's words
    hint: str


STAGING = [
    StagingProblem("required_missing", "required value missing",
                   "fill the column in the file, or declare a default for it in the source's meta.loader "
                   "(a field the retailer's export omits: meta.loader.optional_columns)"),
    StagingProblem("invalid_email", "not a valid e-mail address",
                   "the column holds e-mail addresses: fix or remove the value"),
    StagingProblem("invalid_value", "not a valid",
                   "write the value as the vendor spec asks (dates and times as declared, numbers with a dot, "
                   "booleans true/false), or declare the file's pattern (meta.loader.timestamp_format)"),
    StagingProblem("not_accepted", "not one of",
                   "use one of the accepted values listed (spelled exactly where the problem says case sensitive), "
                   "or map the file's values with a map transformation"),
    StagingProblem("incomplete_url", "not a complete URL",
                   "give a full URL with protocol and domain, or set default_protocol"),
    StagingProblem("one_required", "one is required", "give at least one of the columns named"),
    StagingProblem("order_discarded", "order discarded",
                   "fix the rejected row named for the order; the whole order is imported again with it"),
    StagingProblem("rows_not_adjacent", "rows not adjacent",
                   "list all line items of an order one after the other"),
]
UNKNOWN_STAGING = StagingProblem("other", "", "see the vendor spec for the column")


def staging_problem(problem: str) -> StagingProblem:
    """The code of a staging problem (the first that matches: `not a valid e-mail` before `not a valid`)."""
    return next((p for p in STAGING if problem.startswith(p.starts)), UNKNOWN_STAGING)
