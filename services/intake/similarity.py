"""Is this complaint the same problem as that one? Pure functions on normalised Indonesian text.

A complaint becomes a `Sketch`: its content words (slang expanded, stop words dropped, stemmed),
the problem topics those words name, its region, its reporter's contact hashes and its day.
`blocking_keys` gives the few keys under which a possible twin must share at least one (MinHash
bands of the words and place names, within a province; the contact), and `compare` scores a
candidate found under them; the time window is the store's filter on the day filed. No I/O:
fingerprints.py stores keys and sketches.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Final

from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

from services.intake.lexicon import GENERIC_PLACE, OVERRIDES, SLANG, STOPWORDS, TOPICS

_TOKEN = re.compile(r"[a-z0-9]+")
# Links, e-mail addresses, @mentions (an office's account says nothing of the place), phones.
_NOISE = re.compile(r"https?://\S+|\S+@\S+|@\w+|\+?\d[\d\s\-]{8,}\d")
_CUES = frozenset().union(*TOPICS.values())
_COMMON = frozenset(SLANG)
_CAPITALISED = re.compile(r"(?<=[A-Za-z0-9,] )[A-Z][a-z]+")  # inside a sentence: a proper name
_REPEAT = re.compile(r"([a-z])\1{2,}")  # "bahayaaa" -> "bahaya"
_DOUBLED = re.compile(r"^([a-z]+)2$")  # "anak2" -> "anak"

BANDS: Final = 16  # MinHash bands: more bands find looser twins, at more keys per complaint
ROWS: Final = 2  # hashes per band: two keeps a band selective when one word is common
_PRIME: Final = (1 << 61) - 1
# Fixed seeds: every intake replica, and every restart, must compute the same keys.
_SEEDS: Final = tuple(
    (int.from_bytes(hashlib.blake2b(f"a{i}".encode(), digest_size=7).digest()) | 1,
     int.from_bytes(hashlib.blake2b(f"b{i}".encode(), digest_size=7).digest()))
    for i in range(BANDS * ROWS)
)  # fmt: skip


@dataclass(frozen=True)
class Thresholds:
    """When a candidate counts as a possible duplicate (tuned on tests/data/intake)."""

    text: float = 0.42  # word similarity alone, same region
    with_place: float = 0.25  # word similarity when a place name is shared too
    with_contact: float = 0.2  # word similarity when the reporter's contact is the same
    close_days: int = 2  # "close in time": reported within this many days


@dataclass(frozen=True)
class Sketch:
    """What the linker keeps of a complaint to compare it with later ones."""

    words: frozenset[str]
    topics: frozenset[str]
    names: frozenset[str]  # words no dictionary knows: street, village, landmark names
    region: str  # canonical region code ("35.78", "35"), or "" when unknown
    contacts: frozenset[str]  # hashes of the canonical phone and e-mail
    day: date

    def to_doc(self) -> dict[str, Any]:
        """Return the stored form (sorted lists, ISO day)."""
        return {
            "w": sorted(self.words),
            "tp": sorted(self.topics),
            "n": sorted(self.names),
            "r": self.region,
            "h": sorted(self.contacts),
            "d": self.day.isoformat(),
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Sketch:
        """Build from the stored form."""
        return cls(
            frozenset(doc["w"]),
            frozenset(doc["tp"]),
            frozenset(doc["n"]),
            doc["r"],
            frozenset(doc["h"]),
            date.fromisoformat(doc["d"]),
        )


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    """Build Sastrawi's stemmer once (it loads a 30,000-word dictionary)."""
    return StemmerFactory().create_stemmer(isDev=False)


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """Return the root of one word; short words and words with digits stay as they are."""
    if word in OVERRIDES:
        return OVERRIDES[word]
    if len(word) < 5 or not word.isalpha():
        return word
    return str(_stemmer().stem(word)) or word


def words(text: str) -> frozenset[str]:
    """Return the content words of a text: lower-cased, slang expanded, stemmed, no stop words."""
    found: set[str] = set()
    for raw in _TOKEN.findall(_NOISE.sub(" ", text.lower())):
        token = _DOUBLED.sub(r"\1", _REPEAT.sub(r"\1", raw))
        for part in SLANG.get(token, token).split():
            root = stem(part)
            if (
                root not in STOPWORDS
                and part not in STOPWORDS
                and (len(root) > 1 or root.isdigit())
            ):
                found.add(root)
    return frozenset(found)


def topics(content: frozenset[str]) -> frozenset[str]:
    """Return the problem topics (road damage, flooding, rubbish, …) the words name."""
    return frozenset(topic for topic, cue in TOPICS.items() if content & cue)


def names(text: str, content: frozenset[str]) -> frozenset[str]:
    """Return the place names of a text: capitalised inside a sentence, or unknown roots."""
    known = _stemmer().delegatedStemmer.dictionary
    capitalised = {stem(word.lower()) for word in _CAPITALISED.findall(_NOISE.sub(" ", text))}
    unknown = {w for w in content if w.isalpha() and not known.contains(w)}
    found = (capitalised & content) | unknown
    return frozenset(w for w in found - _CUES - _COMMON - GENERIC_PLACE - STOPWORDS if len(w) > 2)


def contact_hash(canonical: str) -> str:
    """Return a short stable hash of a canonical phone or e-mail (the store never sees it)."""
    return hashlib.sha256(canonical.encode()).hexdigest()[:20]


def province(region: str) -> str:
    """Return the province part of a region code ("35.78" -> "35"; "" stays "")."""
    return region.split(".", 1)[0]


def _word_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest())


def band_values(content: frozenset[str]) -> list[str]:
    """Return the MinHash bands of a word set: two sets share a band with probability ~J^ROWS."""
    if not content:
        return []
    hashes = [_word_hash(word) for word in content]
    mins = [min((a * h + b) % _PRIME for h in hashes) for a, b in _SEEDS]
    return [
        f"{band}:" + "-".join(f"{m:x}" for m in mins[band * ROWS : (band + 1) * ROWS])
        for band in range(BANDS)
    ]


def blocking_keys(sketch: Sketch) -> list[str]:
    """Return the keys of `sketch`: bands, names, topic-and-name pairs, its contacts.

    No day inside: the window is a filter on the day a posting was filed, so a look-up asks for
    each key once, not once per day. A topic alone is no key: every pothole in a province would
    share it, and a twin on the same problem shares its text (a band) or its place (a name).
    """
    where = province(sketch.region) or "-"
    keys = [f"t|{where}|{band}" for band in band_values(sketch.words)]
    # Differently worded twins share little text but name the same place or problem.
    names = sorted(sketch.names)
    keys += [f"n|{where}|{name}" for name in names]
    keys += [f"p|{where}|{topic}|{name}" for topic in sorted(sketch.topics) for name in names]
    return keys + [f"c|{contact}" for contact in sorted(sketch.contacts)]


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Return the cosine of two word sets: forgiving when one text is much longer."""
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


def same_place(a: str, b: str) -> bool:
    """Say whether two region codes can be the same place (equal, or one is the other's province)."""
    if not a or not b:
        return a == b
    return a == b or a == province(b) or b == province(a)


def compare(new: Sketch, old: Sketch, limits: Thresholds = Thresholds()) -> tuple[float, list[str]]:
    """Return (score, reasons) of `new` against an earlier `old`; score 0.0 means not linked."""
    if new.topics and old.topics and not new.topics & old.topics:
        return 0.0, []  # same street, different problem: a pothole is not a dark street lamp
    if new.names and old.names and not new.names & old.names:
        return 0.0, []  # same problem, different street: Jl. Darmo is not Jl. Gubeng
    sim = similarity(new.words, old.words)
    contact = bool(new.contacts & old.contacts)
    place = same_place(new.region, old.region)
    named = bool(new.names & old.names)
    needed = limits.with_place if named else limits.text
    if not ((place and sim >= needed) or (contact and sim >= limits.with_contact)):
        return 0.0, []
    reasons = ["similar_text"] + ["same_region"] * place + ["same_place_name"] * named
    reasons += ["same_contact"] * contact
    if abs((new.day - old.day).days) <= limits.close_days:
        reasons.append("close_in_time")
    score = min(1.0, sim + 0.3 * contact + 0.1 * place)
    return round(score, 3), reasons
