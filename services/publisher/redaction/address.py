"""Street addresses: a chain of address parts that holds at least one house-level part.

Parts are found one by one (street, house number, RT/RW, gang, blok, kelurahan/desa/dusun,
perumahan/komplek, kampung); parts separated only by commas or blanks form a chain. A chain
is an address when it holds RT/RW, a gang, a blok, or a house number beside another part.
A street, kelurahan or perumahan named alone is the place of the complaint and stays.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from services.publisher.redaction.lexicon import STOPWORDS
from services.publisher.redaction.model import Kind, Span

_NAME = r"[A-Za-z0-9][\w'\u2019./-]*"
_KEYWORDS = {
    "street": r"jalan\b|jln\b\.?|jl\b\.?|lorong\b|lr\b\.?",
    "gang": r"gang\b|gg\b\.?",
    # Village units of the regions: jorong and nagari (West Sumatra), banjar (Bali), gampong
    # (Aceh), lingkungan (a kelurahan's part).
    "place": r"kelurahan\b|kel\b\.?|desa\b|ds\b\.|dusun\b|dsn\b\.?|kampung\b|kp\b\.|"
    r"lingkungan\b|lingk\b\.?|jorong\b|nagari\b|banjar\b|gampong\b",
    "estate": r"perumahan\b|perum\b\.?|perumnas\b|komplek\b|kompleks\b|komp\b\.|griya\b|"
    r"cluster\b|klaster\b|kavling\b|asrama\b|rusun\b|rusunawa\b|ruko\b|rukan\b",
    "blok": r"blok\b|blk\b\.?",
}
_KEYWORD = re.compile(
    r"\b(?:" + "|".join(f"(?P<{k}>{v})" for k, v in _KEYWORDS.items()) + ")",
    re.IGNORECASE,
)
# Not inside a letter's reference number ("12/RT.03/V/2024").
_RT_RW = re.compile(
    r"(?<!/)\b(?:rt|rw)\.?\s*[:.]?\s*\d{1,3}(?:\s*[/,\-]?\s*(?:rt|rw)?\.?\s*[:.]?\s*\d{1,3})?\b"
    r"|\brt\s*/\s*rw\.?\s*:?\s*\d{1,3}\s*/\s*\d{1,3}\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(
    r"\b(?:no|nomor|nmr|nomer|kav|kavling)\b\.?\s*:?\s*\d{1,4}(?:[A-Za-z]|\s[A-Z])?(?:\s*[-/]\s*\d{1,4}[A-Za-z]?)?\b"
    r"|\b\d{1,4}[A-Za-z]?\b(?=\s*(?:,|rt\b|rw\b))"
    # A house code after an estate's name: "Cluster Akasia AK-2/15", "Griya Asri C-7".
    r"|(?<=[a-z] )(?-i:[A-Z]{1,3})-\d{1,4}(?:/\d{1,4})?\b",
    re.IGNORECASE,
)
_BLOK_CODE = re.compile(r"\s*[A-Za-z]{0,2}\s*-?\s*\d{0,3}[A-Za-z]?(?:\s*/\s*\d{1,3})?\b")
_GLUE = re.compile(r"^[\s,;]*(?:dan\s+)?$", re.IGNORECASE)
MAX_NAME_WORDS = 4
# "Ketua RT 07", "Pak RW": the office of the neighbourhood head, not where someone lives.
_ROLE = re.compile(r"\b(?:ketua|pak|bu|pengurus|sekretaris|bendahara)\s*$", re.IGNORECASE)
# Words that end a street or place name: the next address part, or a larger area that stays.
_ENDS_NAME = frozenset(
    {"no", "nomor", "nmr", "nomer", "kav", "rt", "rw", "kec", "kecamatan", "kab", "kabupaten"}
    | {"kota", "kodya", "prov", "provinsi"}
)

# Lower-case words saying where along a street or gang, not its name ("gang belakang pasar",
# "gang buntu", "jalan depan rumah").
_WHERE_WORDS = frozenset(
    {"belakang", "depan", "samping", "sebelah", "seberang", "dekat", "ujung", "dalam", "masuk"}
    | {"buntu", "sempit", "kecil", "besar", "utama", "raya", "rusak", "becek", "gelap", "menuju"}
)


@dataclass(frozen=True, slots=True)
class _Part:
    start: int
    end: int
    kind: str


def find(text: str) -> Iterator[Span]:
    """Yield the street addresses in `text`."""
    parts = sorted(_parts(text), key=lambda p: (p.start, -p.end))
    for chain in _chains(text, parts):
        if _is_address(chain):
            yield Span(chain[0].start, max(p.end for p in chain), Kind.ADDRESS)


def _parts(text: str) -> Iterator[_Part]:
    """Yield every address part in the text."""
    for match in _KEYWORD.finditer(text):
        kind = match.lastgroup or "place"
        end = _blok_end(text, match.end()) if kind == "blok" else _name_end(text, match.end())
        if end > match.end():
            yield _Part(match.start(), end, kind)
    for match in _RT_RW.finditer(text):
        if not _ROLE.search(text[max(0, match.start() - 12) : match.start()]):
            yield _Part(match.start(), match.end(), "rtrw")
    for match in _NUMBER.finditer(text):
        yield _Part(match.start(), match.end(), "number")


def _name_end(text: str, pos: int) -> int:
    """Return where the name after a keyword ends: up to four words on the same line."""
    end, capitalised = pos, None
    for count, match in enumerate(re.finditer(rf"[ \t]*[.:]?[ \t]*({_NAME})", text[pos:])):
        word = match.group(1)
        capitalised = word[0].isupper() if capitalised is None else capitalised
        # After a capitalised first word a lower-case one is prose ("Gang Lebar mengeluhkan").
        prose = capitalised and word[0].islower()
        # A keyword first is the name ("Perumahan Griya Asri", "Kompleks Griya Antang").
        stops = _stops(word) and not (count == 0 and word[0].isupper() and _KEYWORD.fullmatch(word))
        if count >= MAX_NAME_WORDS or match.start() != end - pos or prose or stops:
            break
        end = pos + match.end(1)
        if word.endswith(".") and len(word) > 4:  # a full stop, not "Dr." or "Gg."
            break
    # A trailing full stop or comma belongs to the sentence, not to the name.
    while end > pos and text[end - 1] in ".,":
        end -= 1
    return end


def _stops(word: str) -> bool:
    """Tell whether a word cannot be part of a street or place name."""
    lower = word.lower().rstrip(".")
    # A capitalised "Baru", "Lama", "Tengah" names the place ("Kampung Baru"): only a
    # lower-case function word ends the name.
    function_word = (lower in STOPWORDS or lower in _WHERE_WORDS) and not word[0].isupper()
    return function_word or lower in _ENDS_NAME or bool(_KEYWORD.fullmatch(word))


def _blok_end(text: str, pos: int) -> int:
    """Return the end of a blok code ("Blok C-12", "blok F2/7")."""
    match = _BLOK_CODE.match(text, pos)
    return pos + len(match.group().rstrip()) if match and match.group().strip() else pos


def _chains(text: str, parts: list[_Part]) -> Iterator[list[_Part]]:
    """Group parts that touch or are separated only by commas, blanks or "dan"."""
    chain: list[_Part] = []
    for part in parts:
        if chain and _joined(text, max(p.end for p in chain), part.start):
            chain.append(part)
            continue
        if chain:
            yield chain
        chain = [part]
    if chain:
        yield chain


def _joined(text: str, end: int, start: int) -> bool:
    """Tell whether a part starting at `start` continues a chain ending at `end`."""
    return start <= end or bool(_GLUE.match(text[end:start]))


def _is_address(chain: list[_Part]) -> bool:
    """Tell whether a chain locates a house rather than a street or an area."""
    kinds = {p.kind for p in chain}
    if kinds & {"rtrw", "gang", "blok"}:
        return True
    return "number" in kinds and bool(kinds & {"street", "estate", "place"})
