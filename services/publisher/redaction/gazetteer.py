"""Person names recognised by what they are: a list of Indonesian given and family names.

`names.py` finds a name from the words that announce it; this finds the names nothing
announces ("Hasnawati dan Sitti Rahmah, dua guru honorer ..."). The list, `given_names.txt`,
is data shipped in the package (where it comes from: its header).

- A capitalised listed word starts a name wherever it stands; the name takes the listed words
  and initials just before it ("I Wayan", "M. Rizky") and the capitalised words after it
  ("Tan Hok Lay", "Grace Tumbelaka"), up to four words.
- It is kept when the capitalised run it stands in is a place, a building or a firm: a run
  after a word of `PLACE_WORDS` or an acronym ("Jl. Ahmad Yani", "RSUD dr. Soetomo", "SMA
  Santa Maria", "Masjid Agung"). A street that bears a person's name is a place.
- A listed word that is also an everyday word or part of shop names (`COMMON_WORD_NAMES`:
  Indah, Jaya, Sari, Agung) and a short one (Tan, Sri, Mei) count only beside another listed
  name: "Sari Wulandari" is a name, "Toko Sari Jaya" and "3 Mei" are not.
- In lower case (chat), a listed name counts only after a cue (a relative, a role, "saya", a
  closing dash: "anak saya rizal", "petugas agus", "- dadang") or beside another listed
  name ("endang sulistyowati").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from services.publisher.redaction.lexicon import (
    COMMON,
    COMMON_WORD_NAMES,
    PLACE_WORDS,
    RELATIVES,
    ROLES,
    SELF_WORDS,
    TITLES,
)
from services.publisher.redaction.model import Kind, Span
from services.publisher.redaction.names import (
    JOINERS,
    MAX_NAME_WORDS,
    Word,
    adjacent,
    capital,
    name_stop,
    name_word,
)

NAMES_FILE = Path(__file__).with_name("given_names.txt")
# A name this short is as often a word or an abbreviation ("Tan", "Sri", "Mei", "Ali").
MIN_CERTAIN_LENGTH = 4
_CUES = RELATIVES | ROLES | SELF_WORDS
# A cue before a lower-case name: a relative or role ("anak saya", "istriku", "petugas"), "saya",
# or a closing dash ("- dadang").
_LOWER_CUE = re.compile(
    rf"(?:\b(?:{'|'.join(sorted(_CUES))})(?:ku|nya)?(?:\s+(?:saya|sy|kami|aku|gue|gw))?"
    r"|(?:^|\s)[-\u2013\u2014])\s*,?\s*$",
    re.IGNORECASE,
)


def _load(path: Path) -> frozenset[str]:
    """Return the names listed in `path`: words of the lines that are not comments."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(w for line in lines if not line.startswith("#") for w in line.split())


NAMES = _load(NAMES_FILE)


def find(text: str, tokens: list[Word]) -> Iterator[Span]:
    """Yield the names made of listed words in `text` (`tokens`: its `names.words`)."""
    index = 0
    while index < len(tokens):
        found = _name_at(text, tokens, index)
        if found is None:
            index += 1
            continue
        first, last = found
        yield Span(tokens[first].start, name_stop(tokens[last]), Kind.NAME)
        index = last + 1


def _name_at(text: str, tokens: list[Word], index: int) -> tuple[int, int] | None:
    """Return the first and last word of a name around the listed word at `index`."""
    word = tokens[index]
    if word.bare not in NAMES or word.bare in COMMON:
        return None
    if capital(word):
        return _capitalised(text, tokens, index)
    return _lower_case(text, tokens, index)


def _capitalised(text: str, tokens: list[Word], index: int) -> tuple[int, int] | None:
    """Return the name a capitalised listed word stands in, unless it names a place."""
    first = index
    while first > 0 and adjacent(text, tokens, first) and _leads(tokens[first - 1]):
        first -= 1
    if _in_place_name(text, tokens, first):
        return None
    last = index
    while last + 1 < len(tokens) and last + 1 - first < MAX_NAME_WORDS:
        if not adjacent(text, tokens, last + 1) or not _follows(tokens, last + 1):
            break
        last += 1
    if tokens[last].bare in JOINERS:
        last -= 1
    return (first, last) if _certain(tokens[first : last + 1]) else None


def _leads(word: Word) -> bool:
    """Tell whether a word before a listed name belongs to it: a listed name or an initial."""
    # "H." is a title (haji) and stays, as names.py leaves it.
    initial = len(word.bare) == 1 and word.text.endswith(".") and word.bare not in TITLES
    shouting = len(word.bare) > 1 and word.text.isupper()  # "WA" is WhatsApp, not "Wa Ode"
    return capital(word) and not shouting and (word.bare in NAMES or initial)


def _follows(tokens: list[Word], index: int) -> bool:
    """Tell whether a word continues a name: capitalised name word or a joiner before one."""
    word = tokens[index]
    if word.bare in JOINERS:
        return index + 1 < len(tokens) and capital(tokens[index + 1])
    return capital(word) and name_word(word, lowercase=False) and not _place_word(word)


def _certain(name: list[Word]) -> bool:
    """Tell whether the words are a name: one unambiguous listed name, or two listed names."""
    listed = [w.bare for w in name if w.bare in NAMES]
    if any(len(b) >= MIN_CERTAIN_LENGTH and b not in COMMON_WORD_NAMES for b in listed):
        return True
    return len(listed) >= 2 and any(b not in COMMON_WORD_NAMES for b in listed)


def _in_place_name(text: str, tokens: list[Word], first: int) -> bool:
    """Tell whether the capitalised run before `first` is (or follows) a place word."""
    index = first
    # Blanks only between the words; a dot does not part them here ("Jl. Ahmad Yani").
    while index > 0 and not text[tokens[index - 1].end : tokens[index].start].strip(" \t"):
        before = tokens[index - 1]
        if _place_word(before):
            return True
        if not (capital(before) or before.bare in TITLES):
            return False
        index -= 1
    return False


def _place_word(word: Word) -> bool:
    """Tell whether a word names a kind of place or institution, or is an acronym ("SMA")."""
    acronym = len(word.bare) >= 2 and word.text.rstrip(".").isupper() and word.bare not in NAMES
    return word.bare in PLACE_WORDS or acronym


def _lower_case(text: str, tokens: list[Word], index: int) -> tuple[int, int] | None:
    """Return a lower-case name: listed words after a cue, or two listed words together."""
    last = index
    while last + 1 < len(tokens) and last + 1 - index < MAX_NAME_WORDS:
        nxt = tokens[last + 1]
        if not adjacent(text, tokens, last + 1) or capital(nxt) or not _plain_name(nxt):
            break
        last += 1
    cued = _LOWER_CUE.search(text[max(0, tokens[index].start - 30) : tokens[index].start])
    pair = last > index and _plain_name(tokens[index])
    if (cued and _certain(tokens[index : last + 1])) or pair:
        return index, last
    return None


def _plain_name(word: Word) -> bool:
    """Tell whether a lower-case word is a listed name that is no everyday word."""
    bare = word.bare
    return bare in NAMES and bare not in COMMON_WORD_NAMES and bare not in COMMON
