"""Checks a rule set beyond its schema: unknown terms, unreachable rules, same-priority overlaps."""

from __future__ import annotations

from dataclasses import dataclass

from services.router.engine import phrases_of
from services.router.matching import Phrase
from services.router.rules import Rule, RuleSet, When
from shared.regions import region_digits

Problem = tuple[int, str]  # (index of the rule in the file, message)


@dataclass(frozen=True)
class _Shape:
    """What a rule's top-level conditions demand; None means "no demand" on that dimension."""

    phrases: tuple[Phrase, ...] | None
    regions: tuple[str, ...] | None
    values: dict[str, frozenset[str]]
    exact: bool  # True when the top level is all there is (no any / not / all inside)
    words: frozenset[str]  # every word of the phrases: disjoint words, no phrase inside another


def _shape(when: When, terms: dict[str, list[str]]) -> _Shape:
    phrases = phrases_of(when, terms)
    values = {
        name: frozenset(str(v) for v in getattr(when, name))
        for name in ("category", "classification", "channel")
        if getattr(when, name)
    }
    return _Shape(
        phrases=tuple(phrases) or None,
        regions=tuple(region_digits(r) for r in when.region) or None,
        values=values,
        exact=not (when.all_ or when.any_ or when.not_),
        words=frozenset(w for p in phrases for w in p.text.split()),
    )


def _covers(first: _Shape, later: _Shape) -> bool:
    """Say whether every complaint `later` can match is matched by `first`."""
    if not first.exact:
        return False
    if first.regions is not None and (
        later.regions is None
        or not all(any(r.startswith(p) for p in first.regions) for r in later.regions)
    ):
        return False
    for name, allowed in first.values.items():
        if name not in later.values or not later.values[name] <= allowed:
            return False
    if first.phrases is None:
        return True
    if first.words.isdisjoint(later.words):
        return False
    return later.phrases is not None and all(
        any(f.within(lp) for f in first.phrases) for lp in later.phrases
    )


def _overlap(a: _Shape, b: _Shape) -> str | None:
    """Return why two rules may match one complaint (a shared phrase), or None if they cannot."""
    if (
        a.regions
        and b.regions
        and not any(x.startswith(y) or y.startswith(x) for x in a.regions for y in b.regions)
    ):
        return None
    for name in a.values.keys() & b.values.keys():
        if a.values[name].isdisjoint(b.values[name]):
            return None
    if a.phrases is None or b.phrases is None:
        return "no keyword tells them apart"
    if a.words.isdisjoint(b.words):
        return None
    for x in a.phrases:
        for y in b.phrases:
            if x.within(y) or y.within(x):
                return f"both match {min(x.text, y.text, key=len)!r}"
    return None


def problems(rules: RuleSet) -> tuple[list[Problem], list[Problem]]:
    """Return (errors, warnings): unknown terms and unreachable rules are errors."""
    index = {id(rule): i for i, rule in enumerate(rules.rules)}
    errors = _unknown_terms(rules)
    if errors:
        return errors, []
    shapes = [(r, _shape(r.when, rules.terms)) for r in rules.ordered]
    warnings: list[Problem] = []
    for pos, (rule, shape) in enumerate(shapes):
        for earlier, earlier_shape in _neighbours(shapes, pos):
            if _covers(earlier_shape, shape):
                errors.append((index[id(rule)], _unreachable(rule, earlier)))
                break
            if earlier.priority != rule.priority or earlier.then == rule.then:
                continue
            why = _overlap(earlier_shape, shape)
            if why:
                warnings.append((index[id(rule)], _conflict(rule, earlier, why)))
    return errors, warnings


def _neighbours(shapes: list[tuple[Rule, _Shape]], pos: int) -> list[tuple[Rule, _Shape]]:
    """Earlier rules whose regions can meet rule `pos`'s (others neither cover nor overlap it)."""
    mine = shapes[pos][1].regions
    return [
        (rule, shape)
        for rule, shape in shapes[:pos]
        if mine is None
        or shape.regions is None
        or any(a.startswith(b) or b.startswith(a) for a in mine for b in shape.regions)
    ]


def _unreachable(rule: Rule, earlier: Rule) -> str:
    return (
        f"rule {rule.id!r} can never match: rule {earlier.id!r} comes first "
        "(priority, then file order) and matches everything it matches"
    )


def _conflict(rule: Rule, earlier: Rule, why: str) -> str:
    return (
        f"rules {earlier.id!r} and {rule.id!r} have the same priority and different actions, "
        f"and may match one complaint ({why}): file order decides; give one a higher priority"
    )


def _unknown_terms(rules: RuleSet) -> list[Problem]:
    found: list[Problem] = []
    for i, rule in enumerate(rules.rules):
        for name in sorted(_term_names(rule.when) - rules.terms.keys()):
            found.append((i, f"rule {rule.id!r} uses unknown term list {name!r}"))
    return found


def _term_names(when: When) -> set[str]:
    subs = [*when.all_, *when.any_, *([when.not_] if when.not_ else [])]
    return set(when.terms).union(*(_term_names(s) for s in subs))
