"""Phrases compiled at load and complaint text indexed once, so each keyword test is a set lookup."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from services.router.normalize import normalise
from services.router.stemming import Speller, stem

EXACT_MARK = "="  # `=perhubungan` matches that word only, not other words of the same root


@dataclass(frozen=True, slots=True)
class Phrase:
    """A rule keyword: its normalised words, their stems, and the lookup keys it matches on."""

    text: str
    stems: str
    exact: bool

    @property
    def keys(self) -> frozenset[str]:
        """The text-index keys that mean "this phrase occurs"."""
        surface = f"s:{self.text}"
        return frozenset({surface} if self.exact else {surface, f"t:{self.stems}"})

    @property
    def length(self) -> int:
        """Number of words."""
        return self.text.count(" ") + 1

    def within(self, other: Phrase) -> bool:
        """Say whether every text containing `other` also contains this phrase."""
        if not _sub_phrase(self.text, other.text):
            return False
        return other.exact or (not self.exact and _sub_phrase(self.stems, other.stems))


def _sub_phrase(small: str, big: str) -> bool:
    return f" {small} " in f" {big} "


@lru_cache(maxsize=50_000)  # term lists are shared by hundreds of rules
def compile_phrase(raw: str) -> Phrase:
    """Normalise and stem a rule keyword; a leading `=` asks for an exact (unstemmed) match."""
    exact = raw.strip().startswith(EXACT_MARK)
    text = normalise(raw.strip().removeprefix(EXACT_MARK))
    return Phrase(text=text, stems=" ".join(stem(w) for w in text.split()), exact=exact)


class Vocabulary:
    """Every phrase of a rule set: the spelling checker and the set of keys worth indexing."""

    def __init__(self, phrases: Iterable[Phrase]) -> None:
        phrases = list(phrases)
        self.keys = frozenset(k for p in phrases for k in p.keys)
        # Every leading run of words of a key: extending an n-gram stops when it leaves this set.
        self._prefixes = frozenset(_leading_runs(self.keys))
        self.max_words = max((p.length for p in phrases), default=1)
        self.speller = Speller(w for p in phrases for w in p.text.split())

    def index(self, normalised_text: str) -> frozenset[str]:
        """Return the keys of every rule phrase that occurs in the text."""
        words = [self.speller.correct(w) for w in normalised_text.split()]
        stems = [stem(w) for w in words]
        found: set[str] = set()
        for tag, seq in (("s:", words), ("t:", stems)):
            for start in range(len(seq)):
                for end in range(start + 1, min(start + self.max_words, len(seq)) + 1):
                    key = tag + " ".join(seq[start:end])
                    if key not in self._prefixes:
                        break
                    if key in self.keys:
                        found.add(key)
        return frozenset(found)


def _leading_runs(keys: Iterable[str]) -> Iterable[str]:
    for key in keys:
        words = key.split(" ")
        for n in range(1, len(words) + 1):
            yield " ".join(words[:n])
