"""Is a follow-up a normative (template) reply or a substantive one? Pure, with its reasons.

Three tests, in order: the OPD's registered template codes; known template phrases that make up
nearly all of the text; near-identical text to the OPD's earlier replies. Texts are compared by
bottom-k sketches of their word shingles (a fixed number of hashes per reply, so the memory per
OPD is bounded and holds no text).
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.events import FollowUpKind

ANY_OPD = "*"

# Normalised (lower case, no punctuation or digits); phrases of the replies LAPOR! calls normative.
DEFAULT_PHRASES: tuple[str, ...] = (
    "terima kasih atas laporan",
    "terima kasih atas pengaduan",
    "terima kasih atas aspirasi",
    "terima kasih telah menyampaikan",
    "terima kasih atas informasi",
    "akan segera kami tindak lanjuti",
    "akan segera kami tindaklanjuti",
    "akan kami tindak lanjuti",
    "akan kami tindaklanjuti",
    "akan segera ditindaklanjuti",
    "sedang kami proses",
    "sedang dalam proses",
    "dalam proses tindak lanjut",
    "telah kami teruskan kepada",
    "akan kami teruskan kepada",
    "akan kami koordinasikan dengan",
    "akan kami sampaikan kepada",
    "mohon bersabar",
    "mohon ditunggu",
    "mohon menunggu",
    "yth bapak ibu",
    "yth pelapor",
    "hormat kami",
    "salam",
)
# Words that carry no substance of their own, ignored when counting what a reply says beyond
# the template phrases.
_FILLER = frozenset(
    [
        "anda",
        "bapak",
        "ibu",
        "sdr",
        "saudara",
        "kami",
        "dan",
        "yang",
        "di",
        "ke",
        "dari",
        "untuk",
        "atas",
        "dengan",
        "ini",
        "itu",
        "tersebut",
        "telah",
        "akan",
        "sudah",
        "segera",
        "pelapor",
        "laporan",
        "pengaduan",
        "terkait",
        "hal",
    ]
)
_HONORIFICS = frozenset(["bapak", "ibu", "pak", "bu", "bpk", "sdr", "sdri", "saudara", "saudari"])
_WORD = re.compile(r"[a-z]+")

Rule = Literal["template_code", "template_phrases", "near_duplicate", "substantive"]


class FollowUpPolicy(BaseModel):
    """How templates are recognised; codes by OPD code (`*`: registered for every OPD)."""

    model_config = ConfigDict(frozen=True)

    template_codes: dict[str, frozenset[str]] = Field(default_factory=dict)
    template_phrases: tuple[str, ...] = DEFAULT_PHRASES
    max_other_words: int = Field(default=6, ge=0)  # more words beyond the phrases: substantive
    similarity_threshold: float = Field(default=0.8, gt=0, le=1)
    shingle_words: int = Field(default=2, ge=1)
    sketch_size: int = Field(default=32, ge=4)
    remembered_per_opd: int = Field(default=100, ge=1)


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """The bottom-k sketch of one reply's shingles; `ref` names the reply (its event id)."""

    sketch: frozenset[int]
    ref: str | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    """The kind of a follow-up, which rule decided it, and why in words."""

    kind: FollowUpKind
    rule: Rule
    reason: str
    similarity: float | None = None  # the highest similarity to an earlier reply, if compared
    like: str | None = None  # the `ref` of that earlier reply


def classify(
    text: str,
    *,
    opd: str,
    policy: FollowUpPolicy,
    template_code: str | None = None,
    earlier: Iterable[Fingerprint] = (),
    ref: str | None = None,
) -> Verdict:
    """Judge one follow-up of `opd` against its template codes, phrases and earlier replies."""
    if template_code and template_code in _codes(policy, opd):
        reason = f"template code {template_code!r} is registered for {opd}"
        return Verdict(FollowUpKind.NORMATIVE, "template_code", reason)
    words = normalise(text)
    by_phrases = _phrase_verdict(words, policy)
    if by_phrases is not None:
        return by_phrases
    mine = fingerprint(text, policy, ref=ref)
    score, like = _closest(mine, earlier, policy.sketch_size, policy.similarity_threshold)
    if score >= policy.similarity_threshold:
        reason = f"{score:.0%} like an earlier reply of {opd}" + (f" ({like})" if like else "")
        return Verdict(FollowUpKind.NORMATIVE, "near_duplicate", reason, score, like)
    others = _phrases_in(words, policy)[1]
    reason = f"{others} words of its own, at most {score:.0%} like earlier replies"
    return Verdict(FollowUpKind.SUBSTANTIVE, "substantive", reason, score, like)


def normalise(text: str) -> list[str]:
    """Return the words of `text`: lower case, accents, digits and punctuation removed."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    # Digits go: report numbers, dates and amounts differ between copies of one template.
    return _WORD.findall(plain.lower())


def fingerprint(text: str, policy: FollowUpPolicy, *, ref: str | None = None) -> Fingerprint:
    """Return the bottom-k sketch of the text's word shingles."""
    words, size = _content_words(text), policy.shingle_words
    shingles = {" ".join(words[i : i + size]) for i in range(max(len(words) - size + 1, 1))}
    hashes = sorted(_hash(shingle) for shingle in shingles if shingle)
    return Fingerprint(frozenset(hashes[: policy.sketch_size]), ref)


def _content_words(text: str) -> list[str]:
    """The words without filler, and without the name after an honorific: "Bapak Andi" and
    "Ibu Sari" in two copies of one template must not tell them apart."""
    words, after_honorific = [], False
    for word in normalise(text):
        if word not in _FILLER and not after_honorific:
            words.append(word)
        after_honorific = word in _HONORIFICS
    return words


def similarity(a: Fingerprint, b: Fingerprint, sketch_size: int) -> float:
    """Estimate the Jaccard similarity of two replies' shingle sets from their sketches."""
    if not a.sketch or not b.sketch:
        return 0.0
    # The k smallest hashes of both sketches are the k smallest of the union of the full sets.
    union = sorted(a.sketch | b.sketch)[:sketch_size]
    both = a.sketch & b.sketch
    return sum(1 for value in union if value in both) / len(union)


class ReplyMemory:
    """The latest fingerprints of each OPD's replies, newest last, at most `per_opd` each."""

    def __init__(self, per_opd: int) -> None:
        self.per_opd = per_opd
        self._replies: dict[str, deque[Fingerprint]] = {}

    def earlier(self, opd: str) -> tuple[Fingerprint, ...]:
        """Return the remembered fingerprints of `opd`'s replies."""
        return tuple(self._replies.get(opd, ()))

    def remember(self, opd: str, print_: Fingerprint) -> None:
        """Keep `print_` as the newest reply of `opd`, forgetting the oldest beyond the bound."""
        self._replies.setdefault(opd, deque(maxlen=self.per_opd)).append(print_)


def _codes(policy: FollowUpPolicy, opd: str) -> frozenset[str]:
    codes = policy.template_codes
    return codes.get(opd, frozenset()) | codes.get(ANY_OPD, frozenset())


def _phrase_verdict(words: list[str], policy: FollowUpPolicy) -> Verdict | None:
    if not words:
        return Verdict(FollowUpKind.NORMATIVE, "template_phrases", "no words of its own")
    found, others = _phrases_in(words, policy)
    if not found or others > policy.max_other_words:
        return None
    quoted = ", ".join(repr(phrase) for phrase in sorted(found))
    reason = f"template phrases {quoted} and only {others} other words"
    return Verdict(FollowUpKind.NORMATIVE, "template_phrases", reason)


def _phrases_in(words: list[str], policy: FollowUpPolicy) -> tuple[set[str], int]:
    """Return the template phrases found, and how many words are neither in one nor filler."""
    by_first = _phrases_by_first_word(policy.template_phrases)
    found, covered = set(), [False] * len(words)
    for start, word in enumerate(words):
        for parts in by_first.get(word, ()):
            if words[start : start + len(parts)] == list(parts):
                found.add(" ".join(parts))
                covered[start : start + len(parts)] = [True] * len(parts)
    others = sum(
        1 for word, hit in zip(words, covered, strict=True) if not hit and word not in _FILLER
    )
    return found, others


@functools.lru_cache(maxsize=8)
def _phrases_by_first_word(phrases: tuple[str, ...]) -> dict[str, list[tuple[str, ...]]]:
    index: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        parts = tuple(phrase.split())
        if parts:
            index.setdefault(parts[0], []).append(parts)
    return index


def _closest(
    mine: Fingerprint, earlier: Iterable[Fingerprint], sketch_size: int, threshold: float
) -> tuple[float, str | None]:
    """The highest similarity to an earlier reply (below the threshold: an upper bound of it)."""
    best, like = 0.0, None
    for other in earlier:
        if mine.ref is not None and other.ref == mine.ref:
            continue  # the same reply seen again (a replay) is not its own precedent
        score = _upper_bound(mine, other, sketch_size)
        if score >= threshold:  # the exact estimate only when the cheap bound gets there
            score = similarity(mine, other, sketch_size)
        if score > best:
            best, like = score, other.ref
    return best, like


def _upper_bound(a: Fingerprint, b: Fingerprint, sketch_size: int) -> float:
    """At least `similarity(a, b)`: the shared hashes over the fewest the union can hold."""
    both = len(a.sketch & b.sketch)
    union = min(sketch_size, len(a.sketch) + len(b.sketch) - both)
    return both / union if union else 0.0


def _hash(shingle: str) -> int:
    # Stable across processes (unlike hash()), so stored sketches stay comparable.
    return int.from_bytes(hashlib.blake2b(shingle.encode(), digest_size=8).digest(), "big")
