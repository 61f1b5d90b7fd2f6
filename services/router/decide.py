"""The routing decision: a pure function of a complaint's fields and a rule set."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from services.router.directory import TRIAGE
from services.router.normalize import contains_phrase, normalise
from services.router.rules import Rule, RuleSet
from shared.events import Channel, Classification, Priority


class ComplaintFields(BaseModel):
    """What routing looks at; the same shape for Kafka events and `explain` input."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    text: str = Field(min_length=1, description="The complaint body.")
    title: str = ""
    region: str | None = Field(default=None, pattern=r"^\d{2}(\.?\d{2})*$")
    channel: Channel | None = None
    category: str | None = None
    classification: Classification | None = None


class Decision(BaseModel):
    """Where a complaint goes and why. Not competent also goes to triage, flagged for forwarding."""

    model_config = ConfigDict(frozen=True)

    opd: str | None
    triage: bool
    not_competent: bool
    rule_id: str | None
    ruleset_version: str
    matched: list[str]
    priority: Priority
    deadline_class: Classification

    @property
    def queue(self) -> str:
        """The OPD code whose topic carries the case: the OPD, or the triage desk."""
        return self.opd or TRIAGE

    @property
    def outcome(self) -> str:
        """A bounded label for metrics: assigned, triage or not_competent."""
        if self.not_competent:
            return "not_competent"
        return "triage" if self.triage else "assigned"


@dataclass(frozen=True)
class _Prepared:
    text: str
    region_digits: str | None
    channel: Channel | None
    category: str | None
    classification: Classification | None


def decide(complaint: ComplaintFields, rules: RuleSet) -> Decision:
    """Apply the first matching rule in precedence order; no match sends the case to triage."""
    prepared = _prepare(complaint)
    default_class = complaint.classification or Classification.PENGADUAN
    for rule in rules.ordered:
        matched = _match(rule, prepared)
        if matched is not None:
            return _from_rule(rule, matched, rules.version, default_class)
    return Decision(
        opd=None,
        triage=True,
        not_competent=False,
        rule_id=None,
        ruleset_version=rules.version,
        matched=[],
        priority=Priority.NORMAL,
        deadline_class=default_class,
    )


def _prepare(complaint: ComplaintFields) -> _Prepared:
    region = complaint.region.replace(".", "") if complaint.region else None
    return _Prepared(
        text=normalise(f"{complaint.title} {complaint.text}"),
        region_digits=region,
        channel=complaint.channel,
        category=complaint.category.strip().casefold() if complaint.category else None,
        classification=complaint.classification,
    )


def _match(rule: Rule, c: _Prepared) -> list[str] | None:
    """Return what matched when every condition holds, else None."""
    when = rule.when
    matched: list[str] = []
    if when.keywords_any:
        hits = [k for k in when.keywords_any if contains_phrase(c.text, k)]
        if not hits:
            return None
        matched += [f"keyword:{k}" for k in hits]
    for name, wanted in (
        ("category", when.category),
        ("classification", when.classification),
        ("channel", when.channel),
    ):
        value = getattr(c, name)
        if wanted and value not in wanted:
            return None
        if wanted:
            matched.append(f"{name}:{value}")
    if when.region:
        prefix = _region_prefix(when.region, c.region_digits)
        if prefix is None:
            return None
        matched.append(f"region:{prefix}")
    return matched


def _region_prefix(prefixes: list[str], region_digits: str | None) -> str | None:
    """Return the first prefix the complaint's BPS region code starts with."""
    if region_digits is None:
        return None
    for prefix in prefixes:
        if region_digits.startswith(prefix.replace(".", "")):
            return prefix
    return None


def _from_rule(rule: Rule, matched: list[str], version: str, default: Classification) -> Decision:
    then = rule.then
    to_triage = then.not_competent or then.opd == TRIAGE
    return Decision(
        opd=None if to_triage else then.opd,
        triage=to_triage,
        not_competent=then.not_competent,
        rule_id=rule.id,
        ruleset_version=version,
        matched=matched,
        priority=then.priority,
        deadline_class=then.deadline_class or default,
    )
