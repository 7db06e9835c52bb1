"""A delivered file's header must hold the columns its format requires.

Vendor spec 003: "Required fields are present in all lines" and "The fields
have the correct keys (case sensitive)". A required column missing from the
header would make every row of the file invalid; the file is refused instead,
with a message naming the file and the missing columns (and a field that
differs only in case), and the next run tries it again. In a format that is
case sensitive (`case_sensitive: true`, the spec 003 formats), a field
spelled like a declared one in another case is not that field: it lands
under a name of its own (sniff.raw_column_names) and the file's landing
notes say so. Other formats match names without case.
"""

from __future__ import annotations

from .errors import FileError, LoaderError
from .formats import Column, Format


def required_columns(fmt: Format, options: dict, source_key: str = "") -> list[str]:
    """The header names a file of `fmt` must have, with the source's column choices applied."""
    names = [delivered_field(fmt, column, options, source_key) for column in fmt.columns if column.required]
    return list(dict.fromkeys(n for n in names if n is not None))


def delivered_field(fmt: Format, column: Column, options: dict, where: str = "") -> str | None:
    """The delivered field (header name or JSON key) that feeds `column` in a source of `fmt`: the
    column's source, or the one the source chose (meta.loader.<source_option>, Shopify's
    order_id_column), followed back through the source's transformations; None when no delivered
    field does (a derived column, a `new` field). The one answer for the required-column check and
    for personal-data hashing (pii.py), so a renamed e-mail is both required and hashed."""
    if not column.source:
        return None
    name = column.source
    if column.source_option and options.get(column.source_option):
        name = str(options[column.source_option])
        if column.source_choices and name not in column.source_choices:
            raise LoaderError(f"{where}: meta.loader.{column.source_option} is {name!r}; format {fmt.name} "
                              f"accepts {' or '.join(column.source_choices)}")
    return delivered_as(name, options.get("transformations") or [])


def delivered_as(name: str, transformations: list) -> str | None:
    """The delivered field that gives field `name` once the source's transformations
    (meta.loader.transformations, applied in staging) have run: a rename or copy
    to `name` reads another field; a new field needs none (None). Names compare
    without case, as staging's transformations match them (field_transformations),
    in every format."""
    for position in range(len(transformations) - 1, -1, -1):
        step = transformations[position]
        if not isinstance(step, dict) or str(step.get("to") or step.get("new") or "").lower() != name.lower():
            continue
        if "new" in step:
            return None
        if "rename" in step or "copy" in step:
            return delivered_as(str(step.get("rename") or step.get("copy")), transformations[:position])
    return name


def check_required_columns(path: str, fmt: Format, header: list[str] | None, options: dict,
                           source_key: str = "") -> None:
    if header is None or fmt.file_columns:
        return  # positional formats: a header line, when there is one, does not name the fields
    fold = str if fmt.case_sensitive else str.lower
    have = {fold(h.strip()) for h in header}
    missing = [name for name in required_columns(fmt, options, source_key) if fold(name) not in have]
    if missing:
        near = _other_case(missing, header)
        hint = f"; the header has {', '.join(near)}: keys are case sensitive" if near else ""
        raise FileError(path, f"missing required column(s) {', '.join(missing)} (format {fmt.name}){hint}", line=1)


def case_notes(fmt: Format, header: list[str] | None) -> list[str]:
    """Header fields spelled like a field of the format in another case: not read as it (keys are
    case sensitive), landed under a name of their own."""
    if header is None or fmt.file_columns:
        return []
    declared = fmt.case_sensitive_names
    notes = []
    for field in dict.fromkeys(h.strip() for h in header):
        match = next((d for d in declared if d.lower() == field.lower() and d != field), None)
        if match and match not in (h.strip() for h in header):
            notes.append(f"field {field!r} is not {match!r} (keys are case sensitive): kept, not read as {match}")
    return notes


def _other_case(names: list[str], header: list[str]) -> list[str]:
    wanted = {n.lower() for n in names}
    return [h.strip() for h in header if h.strip().lower() in wanted]


def optional_notice(fmt: Format) -> str:
    """What a source that makes vendor-required fields optional is told at every land (and in the report)."""
    return (f"vendor-required field(s) {', '.join(fmt.optional)} optional for this source "
            "(meta.loader.optional_columns): files without them land, rows with them empty are kept")
