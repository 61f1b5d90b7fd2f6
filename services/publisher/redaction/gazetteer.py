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
- A word is looked up in any of its spellings (`namelist.canonical`: "Soemiyati" is "sumiati");
  a capitalised word with a Javanese name's ending counts as listed ("Haryadi"); an unlisted
  capitalised word before a certain listed name is its first word ("Rudy Hartono"), unless a
  sentence starts there or a longer proper noun goes before it.
- In lower case (chat), a listed name counts only after a cue (a relative, a role, "saya", a
  closing dash: "anak saya rizal", "petugas agus", "- dadang") or beside another listed
  name ("endang sulistyowati").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from services.publisher.redaction.lexicon import (
    CALENDAR,
    COMMON,
    COMMON_WORD_NAMES,
    HOUSE_KINDS,
    NOT_NAMES,
    PLACE_WORDS,
    POSITIONS,
    RELATIVES,
    ROLES,
    SELF_WORDS,
    STOPWORDS,
    TITLES,
)
from services.publisher.redaction.model import Kind, Span
from services.publisher.redaction.namelist import NAMES, NAMES_FILE, canonical
from services.publisher.redaction.names import (
    JOINERS,
    MAX_NAME_WORDS,
    Word,
    adjacent,
    capital,
    honorific,
    inflected,
    name_stop,
    name_word,
)

__all__ = ["NAMES", "NAMES_FILE", "find"]
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

# Endings of Javanese and Sundanese names, long enough not to end everyday words.
_NAME_SHAPE = re.compile(r"^[a-z]{3,}(?:yadi|yati|wati|ngsih|ningrum|yanto|yanti|yono)$")
# Capitalised words that are no given name before a family name: known words of other kinds.
_NOT_A_NEIGHBOUR = NOT_NAMES | STOPWORDS | COMMON | POSITIONS | CALENDAR | RELATIVES | ROLES
# A sentence starts here: a capitalised word there may be any word ("Menurut Sutrisno").
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n])[ \t]*$")


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
    if word.bare in COMMON or _listed(word) is None:
        return None
    if canonical(word.bare) is None and index and tokens[index - 1].bare == "di":
        return None  # a name's shape alone after "di" is a place: "di Sukawati"
    if capital(word):
        return _capitalised(text, tokens, index)
    return _lower_case(text, tokens, index)


def _listed(word: Word) -> str | None:
    """Return the listed name a word spells ("Sumiyati" -> "sumiati"), or None.

    A capitalised word of a name's shape counts as listed: Javanese and Sundanese names
    are built from endings that hardly end anything else ("Haryadi", "Kusmiyati").
    """
    listed = canonical(word.bare)
    if listed is None and capital(word) and _NAME_SHAPE.search(word.bare):
        return word.bare
    return listed


def _capitalised(text: str, tokens: list[Word], index: int) -> tuple[int, int] | None:
    """Return the name a capitalised listed word stands in, unless it names a place."""
    first = index
    while first > 0 and adjacent(text, tokens, first) and _leads(tokens[first - 1]):
        first -= 1
    if _neighbour_leads(text, tokens, first, index):
        first -= 1  # "Rudy Hartono": an unlisted given name before a listed family name
    if in_place_name(text, tokens, first):
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
    return capital(word) and not shouting and (_listed(word) is not None or initial)


def _neighbour_leads(text: str, tokens: list[Word], first: int, index: int) -> bool:
    """Tell whether the unlisted capitalised word before `first` is a name's first word.

    Only before a listed name that is certain alone ("Rudy Hartono"), never at the start of
    a sentence (any word is capitalised there), never a word a list knows as something else
    (a position, a place, a day, an honorific, a function word) or a verb form.
    """
    if first == 0 or not adjacent(text, tokens, first) or not _certain(tokens[first : index + 1]):
        return False
    word = tokens[first - 1]
    known = word.bare in _NOT_A_NEIGHBOUR or honorific(word) or word.bare in PLACE_WORDS
    shouting = word.text.isupper()
    if known or shouting or not capital(word) or len(word.bare) < 3 or word.text.endswith("."):
        return False
    # After another capitalised word it is part of a longer proper noun ("Jakarta Timur
    # Ahmad", "Dinas Sosial Bambang"), whose name the run's words give no clue to.
    longer = first > 1 and adjacent(text, tokens, first - 1) and capital(tokens[first - 2])
    starts = _SENTENCE_START.search(text[max(0, word.start - 4) : word.start])
    return not (longer or starts or inflected(word.bare))


def _follows(tokens: list[Word], index: int) -> bool:
    """Tell whether a word continues a name: capitalised name word or a joiner before one."""
    word = tokens[index]
    if word.bare in JOINERS:
        return index + 1 < len(tokens) and capital(tokens[index + 1])
    return capital(word) and name_word(word, lowercase=False) and not place_word(tokens, index)


def _certain(name: list[Word]) -> bool:
    """Tell whether the words are a name: one unambiguous listed name, or two listed names."""
    listed = [b for b in map(_listed, name) if b is not None]
    if any(len(b) >= MIN_CERTAIN_LENGTH and b not in COMMON_WORD_NAMES for b in listed):
        return True
    return len(listed) >= 2 and any(b not in COMMON_WORD_NAMES for b in listed)


def in_place_name(text: str, tokens: list[Word], first: int) -> bool:
    """Tell whether the capitalised run before `first` is (or follows) a place word."""
    index = first
    # Blanks only between the words; a dot does not part them here ("Jl. Ahmad Yani").
    while index > 0 and not text[tokens[index - 1].end : tokens[index].start].strip(" \t"):
        before = tokens[index - 1]
        if place_word(tokens, index - 1):
            return True
        if not (capital(before) or before.bare in TITLES):
            return False
        index -= 1
    return False


def place_word(tokens: list[Word], index: int) -> bool:
    """Tell whether a word names a kind of place or institution, or is an acronym ("SMA")."""
    word = tokens[index]
    if word.bare == "rumah":  # "Rumah Sakit", "Rumah Makan"; not "rumah Abdul Gani"
        return index + 1 < len(tokens) and tokens[index + 1].bare in HOUSE_KINDS
    # "RT", "PP" are offices ("Pak RT Joko", "Satpol PP Sutrisno"), not a place's acronym.
    acronym = len(word.bare) >= 2 and word.text.rstrip(".").isupper()
    acronym = acronym and word.bare not in POSITIONS and _listed(word) is None
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
    listed = canonical(bare)
    return listed is not None and listed not in COMMON_WORD_NAMES and bare not in COMMON
