"""Put the detectors together: find, merge overlapping findings, replace with placeholders."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from services.publisher.redaction import (
    address,
    backstop,
    contact,
    gazetteer,
    names,
    numbers,
    reporter,
)
from services.publisher.redaction.model import PRIORITY, Kind, Redaction, Removed, Reporter, Span

# A removal can leave a cue next to what it did not cover ("NIK <16 digits> <14 digits>"), so
# redaction runs again on its own output until nothing changes: redacting twice is redacting once.
_MAX_PASSES = 3
# A later pass must not take a placeholder for data (a reporter e-mail "N" inside "[NIK]").
_PLACEHOLDER = re.compile("|".join(re.escape(kind.placeholder) for kind in Kind))


def redact(
    text: str,
    reporter_block: Mapping[str, object] | Reporter | None = None,
    *,
    unknown_names: bool = True,
) -> Redaction:
    """Return the public version of `text` and what was removed (in text order per pass).

    `unknown_names` runs the backstop (`backstop.py`): every capitalised word no list knows
    goes as `[NAMA]`. Every public output keeps it on; off, only the rules run (to measure).
    """
    result = _once(text, reporter_block, unknown_names=unknown_names)
    for _ in range(_MAX_PASSES - 1):
        keep = _placeholders(result.text)
        again = _once(result.text, reporter_block, keep=keep, unknown_names=unknown_names)
        if again.text == result.text:
            break
        result = Redaction(again.text, result.removed + again.removed)
    return result


def _once(
    text: str,
    reporter_block: Mapping[str, object] | Reporter | None,
    keep: Sequence[Span] = (),
    *,
    unknown_names: bool,
) -> Redaction:
    found = spans(text, reporter_block, unknown_names=unknown_names)
    found = [s for s in found if not any(_overlap(s, k) for k in keep)]
    return Redaction(_replace(text, found), tuple(_removed(text, found)))


def spans(
    text: str,
    reporter_block: Mapping[str, object] | Reporter | None = None,
    *,
    unknown_names: bool = True,
) -> list[Span]:
    """Return where personal data stands in `text`: merged, non-overlapping, in text order.

    `unknown_names`: also the backstop's unknown capitalised words (see `redact`).
    """
    who = (
        reporter_block
        if isinstance(reporter_block, Reporter) or reporter_block is None
        else Reporter.from_mapping(reporter_block)
    )
    return merge(find_all(text, who, unknown_names=unknown_names))


def _placeholders(text: str) -> list[Span]:
    return [Span(m.start(), m.end(), Kind.NIK) for m in _PLACEHOLDER.finditer(text)]


def _overlap(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def find_all(text: str, who: Reporter | None, *, unknown_names: bool = True) -> list[Span]:
    """Return every finding of every detector, overlapping ones included."""
    found = [*numbers.find(text), *contact.find(text), *address.find(text)]
    tokens = names.words(text)  # the name detectors read the same words
    found += [*names.find(text, tokens), *gazetteer.find(text, tokens), *reporter.find(text, who)]
    if unknown_names:  # last: it only adds what no rule found (merge keeps the longer span)
        found += backstop.find(text, tokens)
    return found


def merge(spans: Iterable[Span]) -> list[Span]:
    """Merge overlapping spans; the longest (then the most certain kind) names the union."""
    ordered = sorted(spans, key=lambda s: (s.start, -(s.end - s.start), PRIORITY[s.kind]))
    merged: list[Span] = []
    for span in ordered:
        if merged and span.start < merged[-1].end:
            merged[-1] = _union(merged[-1], span)
        else:
            merged.append(span)
    return merged


def _union(kept: Span, other: Span) -> Span:
    """Return one span over both; the kind of the longer of the two wins."""
    longer = kept if kept.end - kept.start >= other.end - other.start else other
    return Span(kept.start, max(kept.end, other.end), longer.kind)


def _replace(text: str, spans: list[Span]) -> str:
    """Return the text with each span replaced by its kind's placeholder."""
    pieces: list[str] = []
    cursor = 0
    for span in spans:
        pieces += [text[cursor : span.start], span.kind.placeholder]
        cursor = span.end
    return "".join([*pieces, text[cursor:]])


def _removed(text: str, spans: list[Span]) -> list[Removed]:
    """Return the removed items in text order."""
    return [Removed(span.kind, text[span.start : span.end]) for span in spans]
