"""Names of persons, found from the words that announce them.

Cues: an honorific ("Pak Budi", "bu sri"), a title ("dr. Andi", not "RSUD dr. Soetomo"), an
honorific and a position ("Pak Lurah Slamet": the position stays), and phrases ("nama saya",
"atas nama", "bernama", "a.n.", "Saya Budi,", a signature after "Hormat saya,"). A name
without any cue is not found here; the reporter's own name is matched by `reporter.py`.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass

from services.publisher.redaction.lexicon import (
    ADVERBS,
    COMMON,
    INSTITUTION_WORDS,
    NOT_NAMES,
    PERSONAL_POSITIONS,
    PLACE_WORDS,
    POSITION_QUALIFIERS,
    POSITIONS,
    RELATIVES,
    SELF_WORDS,
    STOPWORDS,
    STRONG_HONORIFICS,
    TITLES,
    WEAK_HONORIFICS,
)
from services.publisher.redaction.model import Kind, Span
from services.publisher.redaction.namelist import canonical

# A word: letters, inner apostrophes or hyphens, and the dot of an initial or abbreviation.
# Never inside a placeholder: "[NAMA]" must not read as a word (idempotence).
_WORD = re.compile(r"(?<![\w\[])[^\W\d_][^\W\d_'\u2019-]*(?:['\u2019-][^\W\d_]+)*\.?")
# The "NAMA" of a placeholder is no cue (idempotence).
_PHRASES = re.compile(
    r"(?<!\[)\b(?:nama\s+(?:saya|sy|aku|ku|gue|gw|pelapor|lengkap|lengkapnya)|namaku|"
    r"nm\s+(?:saya|sy)|bernama|namanya|atas\s+nama|a\.\s?n\.|a/n|an\.|"
    r"nama\b[^:\n]{0,20}:|named|"
    # A form's or letter's label for a person: "Ketua: Wiryo", "Narahubung: Ani".
    r"(?:ketua|wakil\s+ketua|sekretaris|bendahara|koordinator|korlap|narahubung|kontak|cp|"
    r"penanggung\s+jawab|pengirim|penerima|saksi|terlapor)\s*:|(?<!alamat\s)(?<!telepon\s)(?<!email\s)(?<!nik\s)(?<!hp\s)pelapor\s*:|hormat\s+(?:saya|kami)|salam\s+hormat|wassalam\w*|ttd\.?)"
    r"\s*[:,]?\s*(?:\n\s*)?$",
    re.IGNORECASE,
)
# The writer introducing someone: "saya Budi,", "saya dengan Yusuf", "Ulun Galuh", a relative
# with a possessive "temannya Tiurma", "istriku Rina" ("anak saya Dimas" is "saya Dimas"),
# "Nenek Sumi". One pattern: it is searched before every word.
_SAID = re.compile(
    rf"\b(?:(?:{'|'.join(sorted(SELF_WORDS))})(?:\s+dengan)?|"
    rf"(?:{'|'.join(sorted(RELATIVES))})(?:ku|nya)|kakek|nenek|"
    # English, as in mixed texts: "my neighbour Christopher Tan".
    r"(?:my|our)\s+(?:neighbou?r|friend|son|daughter|wife|husband|brother|sister|father|"
    r"mother|colleague|landlord|tenant)s?)\s*,?\s*$",
    re.IGNORECASE,
)
# A closing before a signature: "Terima kasih, Kevin", "Salam,\nRina", "... -Yoga".
_CLOSING = re.compile(
    r"(?:\b(?:terima\s+kasih|makasih|thanks|thank\s+you|thx|regards|salam)\s*[,.!]*|"
    r"(?:^|\s)[-\u2013\u2014])\s*(?:\n\s*)?$",
    re.IGNORECASE,
)
# What each cue pattern cannot match without (a superset, searched once per text): a word
# whose 40 characters before hold none of these is not searched with the pattern itself.
_WINDOW = 40
_HINTS = {
    _PHRASES: re.compile(
        r"\b(?:nama|bernama|nm\s|a[./]|an\.|named|hormat|salam|wassalam|ttd)|:", re.IGNORECASE
    ),
    _CLOSING: re.compile(
        r"\b(?:terima|makasih|thank|thx|regards|salam)|[-\u2013\u2014]", re.IGNORECASE
    ),
    _SAID: re.compile(
        rf"\b(?:{'|'.join(sorted(SELF_WORDS | RELATIVES | {'kakek', 'nenek', 'my', 'our'}))})",
        re.IGNORECASE,
    ),
}
# A name right before the reporter's relation to it: "Rudi Hermawan tetangga saya".
_BEFORE_RELATION = re.compile(
    r"((?:[A-Z][a-z]+ ){0,3}[A-Z][a-z]+),?\s+(?:tetangga|teman|anak|suami|istri|adik|kakak|"
    r"ayah|bapak|ibu|mertua|keponakan|saudara|rekan)\s+(?:saya|kami|sy|aku)\b"
)
MAX_NAME_WORDS = 4
_VERB_PREFIXES = ("meng", "meny", "mem", "men", "ber", "ter", "diper", "memper")
_VERB_SUFFIXES = ("kan", "nya", "lah")
# "br." (boru) joins a Batak woman's given name to her marga: "Rosmawati br. Sitorus".
JOINERS = frozenset({"bin", "binti", "van", "de", "al", "br", "boru"})
# Honorifics written with a dot that does not end the sentence ("Sdr. Ahmad", "Ny. Kustini").
# Also abbreviated given names and joiners ("Moh. Sholeh", "Ach. Fauzi", "br. Sitorus").
ABBREVIATED = frozenset(
    {"sdr", "sdri", "bpk", "bp", "ny", "alm", "almh", "tn", "pak", "bu"}
    | {"muh", "moh", "mhd", "moch", "mochd", "ach", "abd", "br"}
)


@dataclass(frozen=True, slots=True)
class Word:
    """A word of the text; `bare` is it lower-cased without a trailing dot (looked up often)."""

    start: int
    end: int
    text: str
    bare: str


def words(text: str) -> list[Word]:
    """Return the words of `text` in order (placeholders are not words)."""
    found = []
    for m in _WORD.finditer(text):
        word = m.group()
        found.append(Word(m.start(), m.end(), word, word.lower().rstrip(".")))
    return found


class _Cues:
    """The cue patterns of one text, searched only where their hints stand near a word."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.hints = {p: [m.start() for m in h.finditer(text)] for p, h in _HINTS.items()}

    def before(self, pattern: re.Pattern[str], word: Word) -> bool:
        """Tell whether `pattern` matches right before `word` (within 40 characters)."""
        starts = self.hints[pattern]
        near = bisect_left(starts, word.start - _WINDOW)
        if near == len(starts) or starts[near] >= word.start:
            return False
        return bool(pattern.search(self.text[max(0, word.start - _WINDOW) : word.start]))


def find(text: str, tokens: list[Word]) -> Iterator[Span]:
    """Yield the person names that a cue announces in `text` (`tokens`: its `words`)."""
    cues = _Cues(text)
    index = 0
    while index < len(tokens):
        found = _name_at(cues, tokens, index)
        if found is None:
            index += 1
            continue
        first, last = found
        yield Span(tokens[first].start, name_stop(tokens[last]), Kind.NAME)
        index = last + 1
        while (joined := _coordinated(text, tokens, index)) is not None:
            first, last = joined  # "Anak kami Aurel dan Kenzo": the cue covers both
            yield Span(tokens[first].start, name_stop(tokens[last]), Kind.NAME)
            index = last + 1
    yield from _before_relation(text)


def _coordinated(text: str, words: list[Word], index: int) -> tuple[int, int] | None:
    """Return the name joined by "dan"/"serta" to the name that ends before `index`."""
    if index + 1 >= len(words) or words[index].bare not in {"dan", "serta"}:
        return None
    if not adjacent(text, words, index) or not adjacent(text, words, index + 1):
        return None
    nxt = words[index + 1]
    if not capital(nxt) or nxt.bare in PLACE_WORDS or len(nxt.bare) < 3:
        return None  # "Bu Sri dan Puskesmas", "Dimas dan SD ..."
    return _take(text, words, index + 1, lowercase=False)


def _before_relation(text: str) -> Iterator[Span]:
    """Yield names followed by the reporter's relation to them, less leading common words."""
    for match in _BEFORE_RELATION.finditer(text):
        # "BPJS Kesehatan ibu saya": a capitalised word after an acronym names an institution.
        if re.search(r"\b[A-Z]{2,}\s+$", text[: match.start(1)]):
            continue
        start = match.start(1)
        for word in match.group(1).split():
            if word.lower() not in COMMON and word.lower() not in STOPWORDS:
                break
            start += len(word) + 1
        if start < match.end(1):
            yield Span(start, match.end(1), Kind.NAME)


def name_stop(word: Word) -> int:
    """Return the end of a name's last word; a sentence's full stop is not part of it."""
    keep_dot = len(word.bare) == 1
    return word.end if keep_dot or not word.text.endswith(".") else word.end - 1


def _name_at(cues: _Cues, words: list[Word], index: int) -> tuple[int, int] | None:
    """Return the first and last word of a name announced by the cue at `index`."""
    word, text = words[index], cues.text
    if cues.before(_PHRASES, word):
        return _after_cue(text, words, index, lowercase=True)
    if cues.before(_CLOSING, word) or (capital(word) and cues.before(_SAID, word)):
        return _after_cue(text, words, index, lowercase=False)
    if honorific(word) and not _names_a_place(words, index):
        return _after_honorific(text, words, index)
    if _is_title(word) and _title(text, words, index):
        return _take(text, words, index + 1, lowercase=False)
    return None


def _after_cue(
    text: str, words: list[Word], index: int, *, lowercase: bool
) -> tuple[int, int] | None:
    """Return the name right after a phrase; an honorific or title there leads on to it."""
    if honorific(words[index]):
        return _after_honorific(text, words, index)
    if _is_title(words[index]):  # the cue may end a line before it: "Wassalam,\nIr. Gunadi"
        return _take(text, words, _skip_titles(text, words, index + 1), lowercase=False)
    return _take(text, words, index, lowercase=lowercase)


def honorific(word: Word) -> bool:
    """Tell whether a word is an honorific ("Pak", "Sdr.", "mbak"); "BP" in a plate is not."""
    shouting = len(word.bare) > 1 and word.text.isupper()
    return not shouting and (word.bare in STRONG_HONORIFICS or word.bare in WEAK_HONORIFICS)


def _names_a_place(words: list[Word], index: int) -> bool:
    """Tell whether a weak honorific is part of a place's name ("Pasar Cik Puan")."""
    previous = words[index - 1] if index else None
    place = previous is not None and capital(previous) and previous.bare in PLACE_WORDS
    return place and words[index].bare in WEAK_HONORIFICS


def _after_honorific(text: str, words: list[Word], index: int) -> tuple[int, int] | None:
    """Return the name after an honorific and its titles ("Bapak H. Mashuri")."""
    # A position after the honorific ("Pak Camat Gubeng") is most often followed by the
    # place the office serves, not by a name: nothing is taken there.
    nxt = _skip_titles(text, words, index + 1)
    if nxt >= len(words) or not adjacent(text, words, nxt):
        return None
    if words[nxt].bare in PERSONAL_POSITIONS:
        return _after_position(text, words, nxt)
    lowercase = words[index].bare in STRONG_HONORIFICS and nxt == index + 1
    return _take(text, words, nxt, lowercase=lowercase)


def _after_position(text: str, words: list[Word], index: int) -> tuple[int, int] | None:
    """Return the name after a personal position ("Pak Guru Yakub"); the position stays."""
    nxt = index + 1
    if nxt >= len(words) or not adjacent(text, words, nxt) or not capital(words[nxt]):
        return None  # "Pak Guru" alone, "Bu Bidan di Puskesmas"
    if words[nxt].bare in POSITION_QUALIFIERS:
        return None  # "Pak Guru Honorer", "Bu Bidan Desa"
    return _take(text, words, nxt, lowercase=False)


def _skip_titles(text: str, words: list[Word], index: int) -> int:
    """Return the index of the first word from `index` on that is not a title."""
    while index < len(words) and _is_title(words[index]) and adjacent(text, words, index):
        index += 1
    return index


def _is_title(word: Word) -> bool:
    """Tell whether a word is a title before a name ("H.", "dr.", "Ir.", "Dr")."""
    # Lower case "dr" without a dot is mostly "dari" in chat ("saya Lukman dr Bojonegoro").
    return word.bare in TITLES and (word.text.endswith(".") or capital(word))


def _title(text: str, words: list[Word], index: int) -> bool:
    """Tell whether a title word stands before a person ("dr. Andi"), not in a place name."""
    previous = words[index - 1].bare if index else ""
    followed = index + 1 < len(words) and adjacent(text, words, index + 1)
    return previous not in INSTITUTION_WORDS and followed


def _take(text: str, words: list[Word], first: int, *, lowercase: bool) -> tuple[int, int] | None:
    """Return the words of a name starting at `first`, or None when none qualifies."""
    if first >= len(words) or not name_word(words[first], lowercase=lowercase):
        return None
    if not lowercase and _acronym(words[first]):
        return None  # after a weak cue, "SMPN", "PDAM" are institutions
    if _numeral(text, words, first):
        return None  # "Puskesmas Abang I": a letter alone is a number, not a name
    # After a capitalised first word, a lower-case one is the sentence going on.
    lowercase = lowercase and not capital(words[first])
    last = first
    while last + 1 < len(words) and last + 1 - first < MAX_NAME_WORDS:
        nxt = words[last + 1]
        if not adjacent(text, words, last + 1) or not _continues(nxt, lowercase=lowercase):
            break
        if lowercase and _verb_or_adverb(nxt.bare):
            break  # "namanya jefri sering malakin": the sentence goes on
        last += 1
    return first, last


def _continues(word: Word, *, lowercase: bool) -> bool:
    """Tell whether a word carries a name on: a name word, an initial or a joiner."""
    return word.bare in JOINERS or name_word(word, lowercase=lowercase)


def name_word(word: Word, *, lowercase: bool) -> bool:
    """Tell whether a word can be part of a name."""
    bare = word.bare
    if bare in NOT_NAMES or bare in STOPWORDS or bare in POSITIONS or honorific(word):
        return False
    if capital(word):
        return True
    return lowercase and bare not in COMMON and len(bare) > 1 and not inflected(bare)


def inflected(bare: str) -> bool:
    """Tell whether a lower-case word carries a verb affix ("menindaklanjuti", "dibayarkan")."""
    long_enough = len(bare) >= 6
    return long_enough and (bare.startswith(_VERB_PREFIXES) or bare.endswith(_VERB_SUFFIXES))


def _verb_or_adverb(bare: str) -> bool:
    """Tell whether a lower-case word after a lower-case name goes on with the sentence."""
    if bare in ADVERBS:
        return True
    # Chat verbs: "malakin", "ngerusak", "nyuruhin", "dipukul", "ketabrak"; a listed name
    # may look the same ("arifin", "ngadimin", "kevin") and goes on with the name.
    chat_verb = (len(bare) >= 5 and bare.endswith(("in", "kan"))) or (
        len(bare) >= 6 and bare.startswith(("ng", "ny", "di", "ke", "me", "ber"))
    )
    return (chat_verb or inflected(bare)) and canonical(bare) is None


def _numeral(text: str, words: list[Word], index: int) -> bool:
    """Tell whether a word is one letter without a dot that no name word follows."""
    word = words[index]
    if len(word.text) != 1:
        return False
    nxt = index + 1
    return nxt >= len(words) or not adjacent(text, words, nxt) or not capital(words[nxt])


def _acronym(word: Word) -> bool:
    """Tell whether a word is written in capitals, like an acronym ("SMPN", "RSUD")."""
    return len(word.bare) > 2 and word.text.isupper()


def capital(word: Word) -> bool:
    """Tell whether a word starts with a capital letter."""
    return word.text[0].isupper()


def adjacent(text: str, words: list[Word], index: int) -> bool:
    """Tell whether a word follows the previous one after blanks only (no comma, no line)."""
    previous = words[index - 1]
    # A full stop ends the name, unless it closes an initial or a title ("M. Yusuf", "H. Ali").
    abbreviation = previous.bare in TITLES or previous.bare in ABBREVIATED
    if previous.text.endswith(".") and len(previous.bare) > 1 and not abbreviation:
        return False
    return text[previous.end : words[index].start].strip(" \t") == ""
