"""Indonesian stemming (Sastrawi) behind a bounded cache, and a spelling checker for rule words."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any, Final

from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

# Words Sastrawi gets wrong in ways that matter for routing ("kerusakan" -> "rusa").
OVERRIDES: Final[dict[str, str]] = {
    "kerusakan": "rusak",
    "perpajakan": "pajak",
    "pajaknya": "pajak",
    "rusaknya": "rusak",
    "pemadaman": "padam",
    "dipadamkan": "padam",
    "padamnya": "padam",
    "perumahan": "perumahan",  # a housing estate, not "rumah" (a house)
    "pengairan": "irigasi",
    "perhubungan": "perhubungan",  # the transport office, not "hubungan" (relation)
}
_MIN_SPELL_LENGTH = 6  # shorter rule words have too many real neighbours one letter away


@lru_cache(maxsize=1)
def _engine() -> Any:
    """Build Sastrawi's stemmer once (it reads a 30,000-word dictionary)."""
    return StemmerFactory().create_stemmer(isDev=False).delegatedStemmer


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Return the root of one normalised word; words with digits or under 4 letters stay."""
    if word in OVERRIDES:
        return OVERRIDES[word]
    if len(word) < 4 or not word.isalpha():
        return word
    return str(_engine().stem(word)) or word


@lru_cache(maxsize=200_000)
def is_known(word: str) -> bool:
    """Say whether a word, or its root, is in Sastrawi's dictionary of Indonesian roots."""
    dictionary = _engine().dictionary
    return bool(dictionary.contains(word) or dictionary.contains(stem(word)))


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class Speller:
    """Corrects a misspelt word to the one rule word it is one edit away from, if unique."""

    def __init__(self, vocabulary: Iterable[str]) -> None:
        self._vocabulary = frozenset(vocabulary)
        self._by_key: dict[str, set[str]] = {}
        for word in self._vocabulary:
            if len(word) >= _MIN_SPELL_LENGTH and word.isalpha():
                for key in {word} | _deletions(word):
                    self._by_key.setdefault(key, set()).add(word)
        self.correct = lru_cache(maxsize=100_000)(self._correct)

    def _correct(self, token: str) -> str:
        """Return the rule word `token` is a typo of, or `token` itself."""
        if token in self._vocabulary or len(token) < _MIN_SPELL_LENGTH - 1 or not token.isalpha():
            return token
        candidates: set[str] = set()
        for key in {token} | _deletions(token):
            candidates |= self._by_key.get(key, set())
        # A real word one letter from a rule word ("sampai" vs "sampah") is not a typo.
        if len(candidates) != 1 or is_known(token):
            return token
        return next(iter(candidates))
