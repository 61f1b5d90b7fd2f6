"""The routing decision: a pure function of a complaint's fields and a rule set."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from services.router.directory import TRIAGE
from services.router.engine import Prepared
from services.router.normalize import normalise
from services.router.rules import RuleSet
from shared.events import Channel, Classification, Priority
from shared.regions import RegionCode, region_digits


class ComplaintFields(BaseModel):
    """What routing looks at; the same shape for Kafka events and `explain` input."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    text: str = Field(min_length=1, description="The complaint body.")
    title: str = ""
    region: RegionCode | None = None
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
    institution: str | None = Field(default=None, description="Who is competent, when not us.")
    desk: str = Field(default=TRIAGE, description="The triage desk for this complaint's region.")

    @property
    def queue(self) -> str:
        """The OPD code whose topic carries the case: the OPD, or the region's triage desk."""
        return self.opd or self.desk

    @property
    def outcome(self) -> str:
        """A bounded label for metrics: assigned, triage or not_competent."""
        if self.not_competent:
            return "not_competent"
        return "triage" if self.triage else "assigned"


def decide(
    complaint: ComplaintFields, rules: RuleSet, excluded: frozenset[str] = frozenset()
) -> Decision:
    """Apply the first matching rule in precedence order; no match sends the case to triage.
    Rules to an `excluded` OPD (it returned the case as not its competence) are passed over."""
    engine = rules.engine
    prepared = prepare(complaint, rules)
    default_class = complaint.classification or Classification.PENGADUAN
    desk = engine.desk_for(prepared.region)
    found = engine.first_match(prepared, excluded)
    if found is None:
        return Decision(
            opd=None,
            triage=True,
            not_competent=False,
            rule_id=None,
            ruleset_version=rules.version,
            matched=[],
            priority=Priority.NORMAL,
            deadline_class=default_class,
            desk=desk,
        )
    rule, matched = found
    then = rule.then
    to_desk = then.opd if then.opd in engine.desk_codes else None
    return Decision(
        opd=None if (then.not_competent or to_desk) else then.opd,
        triage=bool(then.not_competent or to_desk),
        not_competent=then.not_competent,
        institution=then.institution,
        rule_id=rule.id,
        ruleset_version=rules.version,
        matched=matched,
        priority=then.priority,
        deadline_class=then.deadline_class or default_class,
        desk=to_desk or desk,
    )


def prepare(complaint: ComplaintFields, rules: RuleSet) -> Prepared:
    """Normalise and index the complaint once, for every rule to test."""
    return Prepared(
        keys=rules.engine.vocabulary.index(normalise(f"{complaint.title} {complaint.text}")),
        region=region_digits(complaint.region) if complaint.region else None,
        channel=complaint.channel,
        category=complaint.category.strip().casefold() if complaint.category else None,
        classification=complaint.classification,
    )
