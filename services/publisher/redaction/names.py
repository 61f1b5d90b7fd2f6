"""Names of persons, found from the words that announce them.

Cues: an honorific ("Pak Budi", "bu sri"), a title ("dr. Andi", not "RSUD dr. Soetomo"), an
honorific and a position ("Pak Lurah Slamet": the position stays), and phrases ("nama saya",
"atas nama", "bernama", "a.n.", "Saya Budi,", a signature after "Hormat saya,"). A name
without any cue is not found here; the reporter's own name is matched by `reporter.py`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from services.publisher.redaction.lexicon import (
    COMMON,
    INSTITUTION_WORDS,
    NOT_NAMES,
    POSITIONS,
    STOPWORDS,
    STRONG_HONORIFICS,
    TITLES,
    WEAK_HONORIFICS,
)
from services.publisher.redaction.model import Kind, Span

# A word: letters, inner apostrophes or hyphens, and the dot of an initial or abbreviation.
# Never inside a placeholder: "[NAMA]" must not read as a word (idempotence).
_WORD = re.compile(r"(?<![\w\[])[^\W\d_][^\W\d_'\u2019-]*(?:['\u2019-][^\W\d_]+)*\.?")
_PHRASES = re.compile(
    r"\b(?:nama\s+(?:saya|sy|aku|ku|gue|gw|pelapor|lengkap|lengkapnya|ibu|bapak)|namaku|"
    r"nm\s+(?:saya|sy)|bernama|namanya|atas\s+nama|a\.\s?n\.|a/n|an\.|"
    r"nama\s*:|pelapor\s*:|hormat\s+(?:saya|kami)|salam\s+hormat|wassalam\w*|ttd\.?)"
    r"\s*[:,]?\s*(?:\n\s*)?$",
    re.IGNORECASE,
)
_SAYA = re.compile(r"\b(?:saya|aku|sy)\s*$", re.IGNORECASE)
MAX_NAME_WORDS = 4
JOINERS = frozenset({"bin", "binti", "van", "de", "al"})


@dataclass(frozen=True, slots=True)
class _Word:
    start: int
    end: int
    text: str

    @property
    def bare(self) -> str:
        """Return the word lower-cased, without a trailing dot."""
        return self.text.lower().rstrip(".")


def find(text: str) -> Iterator[Span]:
    """Yield the person names that a cue announces in `text`."""
    words = [_Word(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
    index = 0
    while index < len(words):
        found = _name_at(text, words, index)
        if found is None:
            index += 1
            continue
        first, last = found
        yield Span(words[first].start, _name_stop(words[last]), Kind.NAME)
        index = last + 1


def _name_stop(word: _Word) -> int:
    """Return the end of a name's last word; a sentence's full stop is not part of it."""
    keep_dot = len(word.bare) == 1
    return word.end if keep_dot or not word.text.endswith(".") else word.end - 1


def _name_at(text: str, words: list[_Word], index: int) -> tuple[int, int] | None:
    """Return the first and last word of a name announced by the cue at `index`."""
    word = words[index]
    before = text[: word.start]
    if _PHRASES.search(before[-40:]):
        return _take(text, words, index, lowercase=True)
    if _SAYA.search(before[-10:]) and _capital(word):
        return _take(text, words, index, lowercase=False)
    if word.bare in STRONG_HONORIFICS or word.bare in WEAK_HONORIFICS:
        return _after_honorific(text, words, index)
    if word.bare in TITLES and _title(text, words, index):
        return _take(text, words, index + 1, lowercase=False)
    return None


def _after_honorific(text: str, words: list[_Word], index: int) -> tuple[int, int] | None:
    """Return the name after an honorific, skipping positions ("Pak Camat Budi")."""
    strong = words[index].bare in STRONG_HONORIFICS
    nxt = index + 1
    while nxt < len(words) and words[nxt].bare in POSITIONS and _adjacent(text, words, nxt):
        nxt += 1
    if nxt >= len(words) or not _adjacent(text, words, nxt):
        return None
    lowercase = strong and nxt == index + 1
    while nxt < len(words) and _is_title(words[nxt]):
        nxt += 1
    return _take(text, words, nxt, lowercase=lowercase)


def _is_title(word: _Word) -> bool:
    """Tell whether a word is a title before a name ("H.", "dr.", "Ir.")."""
    return word.bare in TITLES and (word.text.endswith(".") or _capital(word))


def _title(text: str, words: list[_Word], index: int) -> bool:
    """Tell whether a title word stands before a person ("dr. Andi"), not in a place name."""
    word = words[index]
    if not (word.text.endswith(".") or word.bare in {"prof", "dr"}):
        return False
    previous = words[index - 1].bare if index else ""
    return previous not in INSTITUTION_WORDS and index + 1 < len(words)


def _take(text: str, words: list[_Word], first: int, *, lowercase: bool) -> tuple[int, int] | None:
    """Return the words of a name starting at `first`, or None when none qualifies."""
    if first >= len(words) or not _name_word(words[first], lowercase=lowercase):
        return None
    last = first
    while last + 1 < len(words) and last + 1 - first < MAX_NAME_WORDS:
        nxt = words[last + 1]
        if not _adjacent(text, words, last + 1) or not _continues(nxt, lowercase=lowercase):
            break
        last += 1
    return first, last


def _continues(word: _Word, *, lowercase: bool) -> bool:
    """Tell whether a word carries a name on: a name word, an initial or a joiner."""
    return word.bare in JOINERS or _name_word(word, lowercase=lowercase)


def _name_word(word: _Word, *, lowercase: bool) -> bool:
    """Tell whether a word can be part of a name."""
    bare = word.bare
    if bare in NOT_NAMES or bare in STOPWORDS or bare in POSITIONS:
        return False
    if _capital(word):
        return True
    return lowercase and bare not in COMMON and len(bare) > 1


def _capital(word: _Word) -> bool:
    """Tell whether a word starts with a capital letter."""
    return word.text[0].isupper()


def _adjacent(text: str, words: list[_Word], index: int) -> bool:
    """Tell whether a word follows the previous one after blanks only (no comma, no line)."""
    previous = words[index - 1]
    # A full stop ends the name, unless it closes an initial or a title ("M. Yusuf", "H. Ali").
    if previous.text.endswith(".") and len(previous.bare) > 1 and previous.bare not in TITLES:
        return False
    return text[previous.end : words[index].start].strip(" \t") == ""
