"""A rule set compiled for speed: phrases stemmed once, conditions as closures, rules by region."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from services.router.directory import TRIAGE
from services.router.matching import Phrase, Vocabulary, compile_phrase
from services.router.rules import Rule, RuleSet, When
from shared.events import Channel, Classification
from shared.regions import region_digits

Matched = list[str]


@dataclass(frozen=True, slots=True)
class Prepared:
    """A complaint as the conditions see it: phrase keys found, region digits, the hints."""

    keys: frozenset[str]
    region: str | None
    channel: Channel | None
    category: str | None
    classification: Classification | None


Test = Callable[[Prepared], Matched | None]


def phrases_of(when: When, terms: dict[str, list[str]]) -> list[Phrase]:
    """The keyword atom of one condition node: its keywords and its named terms, in order."""
    words = [*when.keywords, *(w for name in when.terms for w in terms.get(name, []))]
    return [compile_phrase(w) for w in dict.fromkeys(words)]


def _keyword_test(phrases: list[Phrase]) -> Test:
    every = frozenset(k for p in phrases for k in p.keys)
    pairs = [(p.keys, f"keyword:{p.text}") for p in phrases]

    def test(c: Prepared) -> Matched | None:
        if every.isdisjoint(c.keys):
            return None
        return [label for keys, label in pairs if not keys.isdisjoint(c.keys)]

    return test


def _value_test(name: str, wanted: list[str]) -> Test:
    allowed = frozenset(wanted)

    def test(c: Prepared) -> Matched | None:
        value = getattr(c, name)
        return [f"{name}:{value}"] if value in allowed else None

    return test


def _region_test(prefixes: list[str]) -> Test:
    pairs = [(region_digits(p), f"region:{p}") for p in prefixes]

    def test(c: Prepared) -> Matched | None:
        for prefix, label in pairs:
            if c.region is not None and c.region.startswith(prefix):
                return [label]
        return None

    return test


def _all(tests: list[Test]) -> Test:
    def test(c: Prepared) -> Matched | None:
        matched: Matched = []
        for one in tests:
            found = one(c)
            if found is None:
                return None
            matched += found
        return matched

    return test


def _any(tests: list[Test]) -> Test:
    def test(c: Prepared) -> Matched | None:
        for one in tests:
            found = one(c)
            if found is not None:
                return found
        return None

    return test


def _not(inner: Test) -> Test:
    return lambda c: None if inner(c) is not None else []


def compile_when(when: When, terms: dict[str, list[str]]) -> Test:
    """Return a test that holds when every condition of `when` holds, naming what matched."""
    tests: list[Test] = []
    phrases = phrases_of(when, terms)
    if phrases:
        tests.append(_keyword_test(phrases))
    for name in ("category", "classification", "channel"):
        if getattr(when, name):
            tests.append(_value_test(name, getattr(when, name)))
    if when.region:
        tests.append(_region_test(when.region))
    tests += [compile_when(sub, terms) for sub in when.all_]
    if when.any_:
        tests.append(_any([compile_when(sub, terms) for sub in when.any_]))
    if when.not_ is not None:
        tests.append(_not(compile_when(when.not_, terms)))
    return _all(tests)


@dataclass(frozen=True, slots=True)
class Compiled:
    """One rule ready to run; `regions` (digits) when the rule only applies there."""

    rule: Rule
    test: Test
    regions: tuple[str, ...] | None


class Engine:
    """Runs a rule set: the first rule in precedence order whose test holds decides."""

    def __init__(self, rules: RuleSet) -> None:
        self.vocabulary = Vocabulary(p for r in rules.rules for p in _all_phrases(r.when, rules))
        self._compiled = [
            Compiled(rule, compile_when(rule.when, rules.terms), _regions(rule.when))
            for rule in rules.ordered
        ]
        self._desks = sorted(((region_digits(r), c) for r, c in rules.desks.items()), reverse=True)
        self.desk_codes = frozenset({TRIAGE, *rules.desks.values()})
        self._candidates: dict[str | None, list[Compiled]] = {}

    def first_match(
        self, c: Prepared, excluded: frozenset[str] = frozenset()
    ) -> tuple[Rule, Matched] | None:
        """Return the deciding rule and what matched, or None (triage); rules that send to an
        `excluded` OPD (one that returned the case) are passed over."""
        for compiled in self._for_region(c.region):
            if excluded and compiled.rule.then.opd in excluded:
                continue
            matched = compiled.test(c)
            if matched is not None:
                return compiled.rule, matched
        return None

    def desk_for(self, region: str | None) -> str:
        """Return the triage desk of the complaint's province, else the deployment's desk."""
        for prefix, code in self._desks:
            if region is not None and region.startswith(prefix):
                return code
        return TRIAGE

    def _for_region(self, region: str | None) -> list[Compiled]:
        """Rules that can apply in `region`, in precedence order (cached per region)."""
        found = self._candidates.get(region)
        if found is None:
            found = [
                c
                for c in self._compiled
                if c.regions is None or any(region and region.startswith(p) for p in c.regions)
            ]
            if len(self._candidates) < 10_000:  # region codes are few; junk must not grow it
                self._candidates[region] = found
        return found


def _regions(when: When) -> tuple[str, ...] | None:
    return tuple(region_digits(p) for p in when.region) if when.region else None


def _all_phrases(when: When, rules: RuleSet) -> list[Phrase]:
    subs = [*when.all_, *when.any_, *([when.not_] if when.not_ else [])]
    return [*phrases_of(when, rules.terms), *(p for s in subs for p in _all_phrases(s, rules))]
