"""The closed-world backstop: a capitalised word that no list knows is taken as a name.

Names are an open class; the rules (`names.py`, `gazetteer.py`) find those that a cue
announces or the list of names holds. Most other capitalised words of a complaint are known
words: Indonesian roots (Sastrawi's dictionary, about 30,000) and their inflections (its
stemmer), places (`places.txt`), the words of `lexicon.py` (offices, institutions, days and
months). A capitalised word outside all of them, or a run of such words, is replaced by
`[NAMA]`: privacy wins over a lost word. It stays when

- it is written in capitals (`BPJS`: an acronym), has a capital inside (`SatuSehat`,
  `APBDes`: an app or a programme), is one letter, or an abbreviation of 2-3 letters (`Br.`);
- it stands in a place's or institution's name: after a place word or an acronym, numbers
  and dashes allowed between (`Jl. Kenanga`, `Toko Sinar Abadi`, `SMA Negeri 1 Tondano`,
  `jalur Bratang-Kenjeran`), after a word that says where (`di Ciledug`, `ke Kertosono`,
  `warga Tarutung`, `depan Indomaret`, `jurusan Joyoboyo`), or after an office that serves a
  territory (`Pak Lurah Sukamulya`, `Camat Gubeng`: the place it serves, as in `names.py`);
- the same word stands in lower case elsewhere in the text (it is a word, such as slang);
- it starts a sentence and no other unknown capitalised word follows it (any word is
  capitalised there, slang too: `Gimana`, `Tlg`).

Lower-case unknown words are never taken here: chat is full of slang and typos.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

from services.publisher.redaction import lexicon
from services.publisher.redaction.gazetteer import place_word
from services.publisher.redaction.model import Kind, Span
from services.publisher.redaction.names import Word, adjacent, capital, name_stop

KNOWN_FILE = Path(__file__).with_name("known_words.txt")
# Words after which a capitalised run says where or which group: a place, not a person
# ("di Ciledug", "warga Tarutung", "jurusan Joyoboyo", "depan Indomaret", "Kelompok Tani ...").
WHERE = lexicon.words(
    """
    di ke dari dr menuju arah sekitar seputar daerah wilayah kawasan area asal kec kel warga
    jurusan jalur poros trayek lyn rute depan dekat belakang samping seberang sebelah near at
    in kali kelompok paguyuban komunitas forum sanggar grup klub
    """
)
# Offices of a territory: the capitalised word after one is the place ("Lurah Sukamulya").
TERRITORIAL = lexicon.POSITIONS - lexicon.PERSONAL_POSITIONS
# An abbreviation with a dot is this short ("Jl.", "No.", "Perum.").
MAX_ABBREVIATION = 5
# Between the words of a place's name: blanks, numbers, dashes ("SMA Negeri 1 Tondano").
_PLACE_GAP = re.compile(r"[\s\d\-\u2013\u2014/.]*")
# A sentence starts here: its first word is capitalised whatever it is.
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n\"(])[ \t\"']*$")


def _listed_words(path: Path) -> frozenset[str]:
    """Return the words of a word list: lower case, lines starting with # are comments."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(w for line in lines if not line.startswith("#") for w in line.split())


@lru_cache(maxsize=1)
def _stemmer() -> object:
    """Build Sastrawi's stemmer once: it reads its 30,000-word dictionary (about 60 ms, once)."""
    return StemmerFactory().create_stemmer(isDev=False).delegatedStemmer


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    """Return every word the backstop knows: roots, places and the rules' own word lists."""
    stemmer = _stemmer()
    roots = frozenset(stemmer.dictionary.words)  # type: ignore[attr-defined]
    lists = [lexicon.NOT_NAMES, lexicon.COMMON, lexicon.STOPWORDS, lexicon.POSITIONS]
    lists += [lexicon.PLACE_WORDS, lexicon.HOUSE_KINDS, lexicon.CALENDAR, lexicon.ADVERBS]
    lists += [lexicon.STRONG_HONORIFICS, lexicon.WEAK_HONORIFICS, lexicon.TITLES]
    lists += [lexicon.RELATIVES, lexicon.ROLES, lexicon.SELF_WORDS, lexicon.POSITION_QUALIFIERS]
    return roots | _listed_words(KNOWN_FILE) | frozenset().union(*lists)


@lru_cache(maxsize=16384)
def known(bare: str) -> bool:
    """Tell whether a lower-case word is a known word, or an inflection or compound of ones."""
    words = _known()
    if bare in words:
        return True
    parts = [p for p in re.split(r"['\u2019-]", bare) if p]
    if len(parts) > 1:  # "Anak-anak", "Jum'at", "Sabtu-Minggu"
        return all(known(p) for p in parts)
    stem = str(_stemmer().stem(bare))  # type: ignore[attr-defined]
    return stem != bare and stem in words


def find(text: str, tokens: list[Word]) -> Iterator[Span]:
    """Yield each run of unknown capitalised words as a name (`tokens`: `names.words(text)`)."""
    lower = {w.bare for w in tokens if not capital(w)}
    index = 0
    while index < len(tokens):
        last = _run(text, tokens, index, lower)
        if last is None:
            index += 1
            continue
        if _kept(text, tokens, index, last):
            index = last + 1
            continue
        yield Span(tokens[index].start, name_stop(tokens[last]), Kind.NAME)
        index = last + 1


def _run(text: str, tokens: list[Word], index: int, lower: set[str]) -> int | None:
    """Return the last word of the run of unknown capitalised words from `index`, or None."""
    if not _unknown(tokens[index], lower):
        return None
    last = index
    while last + 1 < len(tokens) and adjacent(text, tokens, last + 1):
        if not _unknown(tokens[last + 1], lower):
            break
        last += 1
    return last


def _unknown(word: Word, lower: set[str]) -> bool:
    """Tell whether a word is capitalised, no acronym or abbreviation, and known to no list."""
    if not capital(word) or len(word.bare) < 2 or any(c.isupper() for c in word.text[1:]):
        return False

    if word.text.endswith(".") and len(word.bare) <= 3:
        return False  # "Br." (banjar), "Kp.", "Ds.": abbreviations
    return word.bare not in lower and not known(word.bare)


def _kept(text: str, tokens: list[Word], first: int, last: int) -> bool:
    """Tell whether a run of unknown words stays: a place, or one word opening a sentence."""
    if _in_a_place(text, tokens, first):
        return True
    opens = _SENTENCE_START.search(text[max(0, tokens[first].start - 6) : tokens[first].start])
    return bool(opens) and first == last


def _in_a_place(text: str, tokens: list[Word], first: int) -> bool:
    """Tell whether the run from `first` follows a place word, where-word or office."""
    index = first
    while index > 0 and _joined(text, tokens[index - 1], tokens[index]):
        before = tokens[index - 1]
        if before.bare in WHERE or before.bare in TERRITORIAL or place_word(tokens, index - 1):
            return True
        if not (capital(before) or before.bare in lexicon.TITLES):
            return False
        index -= 1
    return False


def _joined(text: str, before: Word, word: Word) -> bool:
    """Tell whether two words stand in one name: blanks, numbers, dashes between them.

    A dot joins them only after an abbreviation or title ("Jl. Kenanga", "No. 3 Sentani"),
    never at a sentence's end ("di Pasar. Sunarsih ...").
    """
    gap = text[before.end : word.start]
    if not _PLACE_GAP.fullmatch(gap):
        return False
    dotted = before.text.endswith(".") or gap.lstrip().startswith(".")
    return not dotted or len(before.bare) <= MAX_ABBREVIATION or before.bare in lexicon.TITLES
