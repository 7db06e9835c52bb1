"""Which legacy code page a non-UTF-8 delivery is in (`encoding: auto`).

Vendor spec 003: auto-detection "relies on heuristics and is not 100%
accurate for all file encodings. If a user knows the correct encoding for the
file, or auto-detection is failing, it is also possible to explicitly specify
the file's encoding." So detection must be right for the common case and say
when it is not sure, never silently garble text.

Two voices decide. Mozilla's chardetng (Firefox's detector for legacy
encodings, which scores letter pairs) proposes a code page. Then every
candidate (its proposal and the common Windows code pages for Latin
scripts) reads the words that hold non-ASCII bytes, and the reading that
looks most like real text wins: no undefined bytes or control characters, no
symbol inside a word (`Za¿ó³æ`), no word mixing scripts or letters that no
single language uses together (`øí`), and letters of as few languages as
possible over the whole sample (a French file read as cp1250 turns into
Czech, Polish and Slovak at once). On a tie cp1252, by far the most common,
wins, then chardetng's proposal. The choice is *uncertain* when nothing
reads cleanly, when the two voices disagree, or when readings that differ
tie on a small sample; the caller then says so (manifest, output, report).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

# Lower-case non-ASCII letters of the languages written in Latin script that
# retail files hold. A word's letters must all belong to one of them.
ALPHABETS = {
    "french": "àâæçéèêëîïôœùûüÿ",
    "german": "äöüß",
    "spanish": "áéíñóúü",
    "portuguese": "áàâãçéêíóôõú",
    "italian": "àèéìíîòóùú",
    "catalan": "àçéèíïòóúü",
    "dutch": "áéèëïóöü",
    "danish_norwegian": "æøåéó",
    "swedish_finnish": "åäöéšž",
    "icelandic": "áðéíóúýþæö",
    "czech": "áčďéěíňóřšťúůýž",
    "slovak": "áäčďéíĺľňóôŕšťúýž",
    "polish": "ąćęłńóśźż",
    "hungarian": "áéíóöőúüű",
    "romanian": "ăâîșțşţ",
    "croatian_slovene": "čćđšž",
    "latvian": "āčēģīķļņšūž",
    "lithuanian": "ąčęėįšųūž",
    "estonian": "äöõüšž",
    "turkish": "çğıöşüâî",
    "albanian": "çë",
}
# Tried besides chardetng's proposal: the Windows code pages of Latin-script Europe, and
# the DOS and Mac ones older point-of-sale and desktop exports still use (chardetng knows web
# encodings only). The rare ones win only by reading better, never make a tie uncertain.
COMMON = ("cp1252", "cp1250", "cp1257", "cp1254")
CANDIDATES = (*COMMON, "cp850", "mac-roman")
PREFERRED = "cp1252"
# Fewer non-ASCII characters than this cannot settle a tie between readings that differ.
MIN_EVIDENCE = 8
# Real text has the odd symbol glued to a word (amovible•Semelle); more than this share of
# implausible words means no candidate is the file's code page.
MAX_ODD_SHARE = 0.01
# Between two letters these are punctuation of real text (l’hôtel, l·l), not mojibake.
_INNER_PUNCTUATION = set("’‘´`–—·\u00ad‐")
# Letters every Latin-script language may use (Nº, 1ª, 5µm): no evidence of a language.
_NEUTRAL = set("ªºµ")
_TOKENS = re.compile(rb"[A-Za-z\x80-\xff]*[\x80-\xff][A-Za-z\x80-\xff]*")
_MAX_TOKENS = 20_000


@dataclass(frozen=True)
class Guess:
    encoding: str                 # a Python codec name
    uncertain: str | None = None  # why the guess may be wrong (None: confident)


@dataclass(frozen=True)
class _Reading:
    encoding: str
    odd: int        # undefined bytes, control characters, symbols inside words, implausible words
    foreign: int    # letters outside the one language covering the most of them
    words: tuple[str, ...]


def guess(sample: bytes, lines: list[int] | None = None) -> Guess:
    """The code page of `sample` (lines holding non-ASCII bytes, none of them valid UTF-8 as a whole).

    `lines` gives the file line of each line of the sample, to point at a
    word in the uncertainty note.
    """
    proposal = _chardetng(sample)
    if not _single_byte(proposal):
        return Guess(proposal)   # a multi-byte code page (Shift_JIS, GBK...): chardetng's own judgement
    tokens = [m.group(0) for m in _TOKENS.finditer(sample)][:_MAX_TOKENS]
    if not tokens:
        return Guess(proposal)
    readings = {name: _read(tokens, name) for name in dict.fromkeys((PREFERRED, proposal, *CANDIDATES))}
    best = min((r.odd, r.foreign) for r in readings.values())
    tied = [r for r in readings.values() if (r.odd, r.foreign) == best]
    chosen = next((r for r in tied if r.encoding == PREFERRED), None) or \
        (readings[proposal] if readings[proposal] in tied else tied[0])
    return Guess(chosen.encoding, _doubt(chosen, tied, readings[proposal], tokens, sample, lines))


def _doubt(chosen: _Reading, tied: list[_Reading], proposal: _Reading, tokens: list[bytes], sample: bytes,
           lines: list[int] | None) -> str | None:
    evidence = sum(1 for token in tokens for byte in token if byte > 0x7F)
    rival = None
    if proposal.words != chosen.words and (proposal not in tied or evidence < MIN_EVIDENCE):
        rival = proposal
    else:
        rival = next((r for r in tied if r.words != chosen.words and evidence < MIN_EVIDENCE
                      and r.encoding in (*COMMON, proposal.encoding)), None)
    if chosen.odd > MAX_ODD_SHARE * len(tokens) and rival is None:
        return f"no code page reads every word of it cleanly (as {chosen.encoding}: {_odd_word(chosen)})"
    if rival is None:
        return None
    index = next(i for i, (a, b) in enumerate(zip(chosen.words, rival.words)) if a != b)
    where = ""
    if lines:
        line = sample.count(b"\n", 0, sample.find(tokens[index]))
        where = f" (line {lines[min(line, len(lines) - 1)]})"
    return (f"read as {rival.encoding} it would say {rival.words[index]!r} where {chosen.encoding} says "
            f"{chosen.words[index]!r}{where}")


def _odd_word(reading: _Reading) -> str:
    return next((repr(w) for w in reading.words if _word_oddness(w)), "undefined bytes")


def _chardetng(sample: bytes) -> str:
    from chardetng_py.detector import EncodingDetector

    detector = EncodingDetector()
    detector.feed(sample, last=True)
    name = detector.guess(tld=None, allow_utf8=False)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return PREFERRED


def _single_byte(encoding: str) -> bool:
    try:
        return len(bytes(range(0x80, 0x100)).decode(encoding, errors="replace")) == 0x80
    except LookupError:
        return False


def _read(tokens: list[bytes], encoding: str) -> _Reading:
    words = tuple(t.decode(encoding, errors="replace") for t in tokens)
    odd = sum(_word_oddness(w) for w in words)
    counts: dict[str, int] = {}
    for word in words:
        for char in word:
            if ord(char) > 0x7F and char.isalpha():
                lower = char.lower()[0]
                counts[lower] = counts.get(lower, 0) + 1
    covered = max(sum(n for c, n in counts.items() if c in letters) for letters in ALPHABETS.values())
    latin = sum(n for c, n in counts.items() if _script(c) == "LATIN")
    return _Reading(encoding, odd, latin - covered, words)


def _word_oddness(word: str) -> int:
    """How many things in one token no real text has (0 for a plausible word)."""
    odd = 0
    for i, char in enumerate(word):
        category = unicodedata.category(char)
        if char == "\ufffd" or category in ("Cc", "Cn", "Co", "Cs"):
            odd += 1
        elif ord(char) > 0x7F and not category.startswith(("L", "M")) and char not in _INNER_PUNCTUATION \
                and 0 < i < len(word) - 1 and word[i - 1].isalpha() and word[i + 1].isalpha():
            odd += 1
    for part in re.findall(r"[^\W\d_]+", word):
        letters = {c.lower()[0] for c in part if ord(c) > 0x7F and c not in _NEUTRAL}
        if not letters:
            continue
        if any(c.isupper() and ord(c) > 0x7F and part[i - 1].islower() for i, c in enumerate(part) if i):
            odd += 1   # cafÚ: an accented capital inside a lower-case word
        scripts = {_script(c) for c in part}
        if len(scripts) > 1:
            odd += 1
        elif scripts == {"LATIN"} and not any(letters <= set(a) for a in ALPHABETS.values()):
            odd += 1
    return odd


def _script(char: str) -> str:
    if ord(char) < 0x250:   # ASCII, Latin-1 and Latin Extended: ª º µ count as Latin too
        return "LATIN"
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0] if name else "UNKNOWN"
