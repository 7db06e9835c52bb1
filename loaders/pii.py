"""Personal data: declared in the format contract, hashed or dropped at landing.

A format marks each personal field with `pii:` (a column key, or an entry of
`personal_fields` for fields staging does not read); a source may add its own
fields (`meta.loader.pii: {field: kind}`) or opt out (`pii: keep`). The loader
applies the policy inside the DuckDB insert that lands a file, so no raw table
ever holds the plaintext: the delivered file is the only place it exists.

- email: trimmed, lower-cased, SHA-256 hex (vendor spec 003: "we also
  lowercase and trim the original ID before transforming it"). In a column of
  e-mails a value that is not one is masked (staging reports the row); in a
  column of user ids (`id_type`, or a `type_column` giving each row's type)
  an id holding an `@` is hashed the same way and other ids stay as they are.
  A row whose type hashes (`email`, user_id_types' `hash_to`) takes the hash's
  type (`email_sha256`) once hashed.
- phone: SHA-256 hex of the number in E.164 form (`phone_e164`).
- name, address, ip: dropped: the column stays, every value is null.

Rejected records keep their raw text, with personal fields and anything that
looks like an e-mail, a phone number or an IP address masked (`mask_record`).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import LoaderError
from .formats import Format, read_declaration
# the field a column is read from: the same answer as the required-column check
from .required import delivered_as, delivered_field
from .sql import literal

# kind -> what landing does with it
KINDS = {"email": "hashed", "phone": "hashed", "name": "dropped", "address": "dropped", "ip": "dropped"}
KEEP = "keep"
MASKS = {"email": "<e-mail>", "phone": "<phone>", "name": "<name>", "address": "<address>", "ip": "<ip>"}
INVALID_EMAIL = "<invalid e-mail>"
WITHHELD = "'<withheld>'"
_UNPATTERNED = ("name", "address")     # kinds no pattern recognises in free text
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")   # a word quoted by repr()
_PACKAGE_PROJECT = Path(__file__).resolve().parents[1]
_ID_TYPES = Path("macros") / "rules" / "user_id_types.sql"


@dataclass(frozen=True)
class IdTypes:
    """What the loader needs of the user id types (macros/rules/user_id_types.sql, their one home)."""

    hashed: dict[str, str]     # id type -> the type its ids are hashed to (email -> email_sha256)
    email_pattern: str         # an e-mail, trimmed and lower-cased, matches it in full
    hash_pattern: str          # a hashed e-mail matches it in full

    @classmethod
    def read(cls, project_dir: Path | None) -> "IdTypes":
        path = project_dir / _ID_TYPES if project_dir else None
        if path is None or not path.is_file():
            path = _PACKAGE_PROJECT / _ID_TYPES   # a project without its own list uses the loader's
        return cls._read(path)

    @classmethod
    @functools.lru_cache(maxsize=8)   # once per project, not once per source
    def _read(cls, path: Path) -> "IdTypes":
        types = read_declaration(path) or {}
        hashed = {name: d["hash_to"] for name, d in types.items() if (d or {}).get("hash_to")}
        try:
            email = types["email"]["pattern"]
            hash_pattern = types[hashed["email"]]["pattern"]
        except (KeyError, TypeError):
            raise LoaderError(f"{path}: the email type needs a pattern and a hash_to type with a pattern") from None
        return cls(hashed, email, hash_pattern)


@dataclass(frozen=True)
class Field:
    source: str                    # the delivered field (header name or JSON key), any case
    kind: str                      # one of KINDS
    ids: bool = False              # a column of user ids: only ids holding an @ are e-mails
    type_field: str | None = None  # the delivered field giving each row's id type


@dataclass(frozen=True)
class Policy:
    """What landing does with one source's personal fields."""

    fields: tuple[Field, ...] = ()
    keep: bool = False                 # meta.loader.pii: keep
    country_code: str | None = None    # meta.loader.phone_country_code: national numbers' country
    types: IdTypes | None = None

    @classmethod
    def for_source(cls, fmt: Format, options: dict, project_dir: Path | None = None, where: str = "") -> "Policy":
        where = where or f"format {fmt.name}"
        declared = options.get("pii")
        if declared is not None and declared != KEEP and not isinstance(declared, dict):
            raise LoaderError(f"{where}: meta.loader.pii must be '{KEEP}' or a mapping of field: kind "
                              f"({', '.join(KINDS)}), not {declared!r}")
        steps = options.get("transformations") or []
        # the source's own declarations first: on a field declared twice, the source knows best
        fields = [_field(str(source), kind, f"{where}: meta.loader.pii")
                  for source, kind in (declared.items() if isinstance(declared, dict) else ())]
        for column in fmt.columns:
            kind = column.options.get("pii")
            source = delivered_field(fmt, column, options, where) if kind is not None else None
            if source is None:
                continue
            type_field = column.options.get("type_column")
            fields.append(_field(source, kind, f"{where}: column {column.name}",
                                 ids=bool(column.options.get("id_type") or type_field),
                                 type_field=delivered_as(type_field, steps) if type_field else None))
        for entry in fmt.extra.get("personal_fields") or []:
            if not isinstance(entry, dict) or not entry.get("source"):
                raise LoaderError(f"{where}: each personal_fields entry needs a source and a pii kind")
            fields.append(_field(delivered_as(str(entry["source"]), steps), entry.get("pii"),
                                 f"{where}: personal_fields"))
        code = options.get("phone_country_code")
        if code is not None and not re.fullmatch(r"\+?[1-9][0-9]{0,2}", str(code).strip()):
            raise LoaderError(f"{where}: phone_country_code must be a country calling code like 33 or +1, "
                              f"not {code!r}")
        return cls(tuple(f for f in fields if f.source), keep=declared == KEEP,
                   country_code=str(code).strip().lstrip("+") if code is not None else None,
                   types=IdTypes.read(project_dir))

    @property
    def active(self) -> bool:
        return bool(self.fields) and not self.keep

    def describe(self) -> str:
        """One line for reports and `land`: what happens to which field."""
        if self.keep:
            return "kept in plaintext (pii: keep)"
        if not self.fields:
            return "none declared"
        by_action: dict[str, list[str]] = {}
        for f in self.fields:
            by_action.setdefault(KINDS[f.kind], []).append(f"{f.source} ({f.kind}{' ids' if f.ids else ''})")
        return "; ".join(f"{action}: {', '.join(names)}" for action, names in by_action.items())

    # -- landing: SQL inside the insert ---------------------------------------------------------

    def columns_sql(self, columns: list[str], value, json_keys: list[str | None] | None = None) -> list[str]:
        """The SQL of each landed column: value(i) as delivered, or its hashed / dropped form.

        json_keys (JSON lines): each column's key in the record, None for the
        record itself, whose personal keys are replaced the same way.
        """
        sql = [value(i) for i in range(len(columns))]
        if not self.active:
            return sql
        matched = self._matched(columns)
        patch: list[tuple[str, str]] = []
        for i, f in matched.items():
            type_index = self._index(columns, f.type_field) if f.type_field else None
            if type_index is not None:
                sql[i], sql[type_index] = self._typed_email(value(i), value(type_index))
                if json_keys:
                    patch.append((json_keys[type_index], sql[type_index]))
            else:
                sql[i] = self._expression(f, value(i))
            if json_keys:
                patch.append((json_keys[i], sql[i]))
        if json_keys and patch and None in json_keys:
            record = json_keys.index(None)
            # merge-patch semantics: a null (dropped) value removes the key from the record
            pairs = ", ".join(f"{literal(k)}, {v}" for k, v in patch if k is not None)
            sql[record] = f"json_merge_patch({value(record)}, json_object({pairs}))"
        return sql

    def _expression(self, f: Field, v: str) -> str:
        if f.kind == "email":
            return self._email(v, strict=not f.ids)
        if f.kind == "phone":
            return f"case when regexp_matches({v}, '[0-9]') then sha256({phone_e164(v, self.country_code)}) else {v} end"
        return "cast(null as varchar)"

    def _email(self, v: str, strict: bool) -> str:
        if not strict:
            return f"case when contains({v}, '@') then sha256(lower(trim({v}))) else {v} end"
        return f"case when {v} is null then {v} {self._email_whens(v)} else {literal(INVALID_EMAIL)} end"

    def _email_whens(self, v: str) -> str:
        """A non-null value of an e-mail column: an e-mail is hashed, a hash (or nothing) kept."""
        norm = f"lower(trim({v}))"
        return (f"when {self._is_email(v)} then sha256({norm}) "
                f"when trim({v}) = '' or regexp_full_match({norm}, {literal(self.types.hash_pattern)}) then {v}")

    def _is_email(self, v: str) -> str:
        # lower(trim(v)) matching the pattern, without making those strings: surrounding spaces
        # allowed and case ignored (RE2 alone; a contains('@') guard first was slower)
        return f"regexp_full_match({v}, {literal(' *(?i:' + self.types.email_pattern + ') *')})"

    def _typed_email(self, v: str, t: str) -> tuple[str, str]:
        """A user id whose row says its type: e-mail rows strictly, other rows as ids; hashed rows retyped.

        One flat CASE each: this runs on every row of large order files.
        """
        hashing = ", ".join(literal(name) for name in self.types.hashed)
        value = (f"case when {v} is null then {v} "
                 f"when lower(trim({t})) in ({hashing}) then (case {self._email_whens(v)} "
                 f"else {literal(INVALID_EMAIL)} end) "
                 f"when contains({v}, '@') then sha256(lower(trim({v}))) else {v} end")
        retyped = " ".join(f"when lower(trim({t})) = {literal(name)} and {self._is_email(v)} then {literal(to)}"
                           for name, to in self.types.hashed.items())
        return value, f"case {retyped} else {t} end"

    def _matched(self, columns: list[str]) -> dict[int, Field]:
        out: dict[int, Field] = {}
        for f in self.fields:
            for i in self._indexes(columns, f.source):
                out.setdefault(i, f)
        return out

    @staticmethod
    def _indexes(columns: list[str], source: str) -> list[int]:
        """Columns holding a delivered field: its name in any case, or a repeat of it (Email_2)."""
        wanted = source.strip().lower()
        repeat = re.compile(re.escape(wanted) + r"_[0-9]+")
        return [i for i, name in enumerate(columns) if name.lower() == wanted or repeat.fullmatch(name.lower())]

    def _index(self, columns: list[str], source: str) -> int | None:
        found = [i for i, name in enumerate(columns) if name.lower() == source.strip().lower()]
        return found[0] if found else None

    def mask_quotes(self, text: str | None) -> str | None:
        """A message quoting words of a delivery (an encoding doubt), safe to store and show.

        What looks personal is masked (mask_text); and where the source
        declares names or addresses, which no pattern finds, every quoted
        word is withheld: the message cannot tell which field a word is from.
        Also for a source that keeps personal data, as for everything shown.
        """
        if not text:
            return text
        if any(f.kind in _UNPATTERNED for f in self.fields):
            text = _QUOTED.sub(WITHHELD, text)
        return mask_text(text)

    # -- rejected records: masked raw text ------------------------------------------------------

    def mask_record(self, text: str, columns: list[str], delimiter: str | None, quote: str = '"') -> str:
        """A rejected record's raw text with its personal fields masked.

        Anything that looks like an e-mail, a phone number or an IP address is
        masked wherever it is. Declared fields are masked by position too: all
        of them when the record has as many fields as the header; when it has
        fewer or more, only names and addresses (no pattern finds those), each
        counted from the start and from the end of the record, since fields
        before and after the damage are where they should be. Ids are left to
        the patterns: a CRM id without an @ is not personal.
        """
        if self.keep or not text:
            return text
        personal = {i: f for i, f in self._matched(columns).items() if not f.ids}
        if personal and delimiter is None:
            text = self._mask_json_keys(text, personal.values())
        elif personal:
            spans = _field_spans(text, delimiter, quote)
            aligned = len(spans) == len(columns)
            kinds: dict[int, str] = {}
            for i, f in personal.items():
                if aligned:
                    kinds[i] = f.kind
                elif f.kind in _UNPATTERNED:
                    for j in (i, i - len(columns) + len(spans)):
                        if 0 <= j < len(spans):
                            kinds.setdefault(j, f.kind)
            for j in sorted(kinds, reverse=True):
                start, end = spans[j]
                value = text[start:end]
                # a field the patterns recognise says what it is; only the others take the declared kind
                if value.strip(f" {quote}") and mask_text(value) == value:
                    text = text[:start] + MASKS[kinds[j]] + text[end:]
        return mask_text(text)

    @staticmethod
    def _mask_json_keys(text: str, fields) -> str:
        for f in fields:
            key = re.escape(f.source)
            text = re.sub(rf"""((["']){key}\2\s*:\s*)("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^,}}\s]+)""",
                          lambda m, f=f: f'{m.group(1)}"{MASKS[f.kind]}"', text, flags=re.I)
        return text


def _field(source, kind, where: str, ids: bool = False, type_field: str | None = None) -> Field:
    if kind not in KINDS:
        raise LoaderError(f"{where}: pii must be one of {', '.join(KINDS)}, not {kind!r}")
    return Field(str(source).strip() if source else "", kind, ids and kind == "email", type_field)


def phone_e164(v: str, country_code: str | None) -> str:
    """SQL: a phone number in E.164 form, the text its hash is taken of.

    Digits only, after a leading + (kept) or 00 (read as +); an extension
    (`x12`, `ext. 12`) is cut off. A number without either is national: with
    the source's phone_country_code its trunk 0 is dropped and +<code> put in
    front (`06 12 34 56 78` with 33: `+33612345678`); without one its digits
    are hashed as they are.
    """
    text = rf"regexp_replace(trim({v}), '(?i)[\s,;]*(ext\.?|extension|x)\s*[0-9]+$', '')"
    digits = f"regexp_replace({text}, '[^0-9]', '', 'g')"
    national = f"'+{country_code}' || regexp_replace({digits}, '^0', '')" if country_code else digits
    return (f"case when regexp_matches({text}, '^[^0-9]*[+]') then '+' || {digits} "
            f"when starts_with({digits}, '00') then '+' || substr({digits}, 3) else {national} end")


# -- free text: what looks personal is masked --------------------------------------------------

EMAIL_IN_TEXT = re.compile(r"""[^\s,;|"'<>()\[\]{}:=@]+@[^\s,;|"'<>()\[\]{}:=@]+\.[A-Za-z]{2,}""")
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
_PHONE_INTERNATIONAL = re.compile(r"(?<![\w+])\+\d[\d ().-]{6,}\d(?!\w)")
_PHONE_NATIONAL = re.compile(r"(?<![\w.+-])\(?\d{2,4}\)?(?:[ .-]\d{2,4}){2,5}(?![\w-])")
_DATE_LIKE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")


def mask_text(text: str | None) -> str | None:
    """Text with e-mail addresses, IP addresses and phone numbers replaced by <e-mail>, <ip>, <phone>.

    For text that may hold anything (a rejected record, a message quoting a
    line). Phone numbers are those written with a + (8 to 15 digits) or in
    groups (`(613) 555-0114`, `06 12 34 56 78`: 9 to 15 digits), not dates,
    times or plain numbers such as order ids.
    """
    if not text:
        return text
    text = EMAIL_IN_TEXT.sub(MASKS["email"], text)
    text = _IPV4.sub(MASKS["ip"], text)
    text = _IPV6.sub(lambda m: MASKS["ip"] if m.group().count(":") >= 3 or "::" in m.group() else m.group(), text)
    text = _PHONE_INTERNATIONAL.sub(lambda m: _phone_or_not(m, 8), text)
    return _PHONE_NATIONAL.sub(lambda m: _phone_or_not(m, 9), text)


def _phone_or_not(match: re.Match, fewest_digits: int) -> str:
    found = match.group()
    digits = sum(ch.isdigit() for ch in found)
    if not fewest_digits <= digits <= 15 or _DATE_LIKE.match(found.lstrip("(+")):
        return found
    return MASKS["phone"]


def _field_spans(text: str, delimiter: str, quote: str) -> list[tuple[int, int]]:
    """(start, end) of each field of one delimited record, quotes included, as a reader splits it."""
    spans, start, i, quoted = [], 0, 0, False
    while i < len(text):
        if text[i] == quote:
            quoted = not quoted    # a doubled quote toggles twice
        elif not quoted and text.startswith(delimiter, i):
            spans.append((start, i))
            i += len(delimiter)
            start = i
            continue
        i += 1
    spans.append((start, len(text)))
    return spans


def mask_values(values: list, columns: list[str], policy: Policy | None = None) -> list:
    """Values of one stored record, to be shown (a report's sample): what looks personal masked,
    and, for a source that keeps personal data (pii: keep), its declared personal fields too."""
    personal = policy._matched(columns) if policy is not None and policy.keep else {}
    return [MASKS[personal[i].kind] if i in personal and v not in (None, "") and not personal[i].ids
            else (mask_text(v) if isinstance(v, str) else v) for i, v in enumerate(values)]
