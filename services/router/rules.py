"""The declarative rule set: conditions on a complaint, and what to do when they all hold."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from services.router.directory import OpdCode, OpdDirectory
from services.router.loading import load_yaml_model
from services.router.normalize import normalise
from shared.events import Channel, Classification, Priority

RulePrefix = Annotated[str, StringConstraints(pattern=r"^\d{2}(\.\d{2})?$")]
RuleId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _as_list(value: Any) -> Any:
    """Let a single value stand for a one-item list (`channel: web`)."""
    return [value] if isinstance(value, str) else value


class When(BaseModel):
    """Conditions; every one given must hold. Lists mean "any of these"."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    keywords_any: list[Text] = Field(default_factory=list)
    category: list[Text] = Field(default_factory=list)
    classification: list[Classification] = Field(default_factory=list)
    region: list[RulePrefix] = Field(default_factory=list)
    channel: list[Channel] = Field(default_factory=list)

    _listify = field_validator("category", "classification", "region", "channel", mode="before")(
        _as_list
    )

    @field_validator("keywords_any", mode="after")
    @classmethod
    def _normalise_keywords(cls, keywords: list[str]) -> list[str]:
        """Normalise keywords like the text they are matched against ("rs" is "rumah sakit")."""
        result = [normalise(k) for k in keywords]
        empty = [k for k, n in zip(keywords, result, strict=True) if not n]
        if empty:
            raise ValueError(f"keywords with no letters or digits: {empty}")
        return result

    @field_validator("category", mode="after")
    @classmethod
    def _fold_category(cls, categories: list[str]) -> list[str]:
        return [c.casefold() for c in categories]


class Then(BaseModel):
    """The action: an OPD, or "not our competence" (forward, via the triage desk)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    opd: OpdCode | None = None
    not_competent: bool = False
    priority: Priority = Priority.NORMAL
    deadline_class: Classification | None = None

    @field_validator("opd", mode="after")
    @classmethod
    def _known_opd(cls, opd: str | None, info: ValidationInfo) -> str | None:
        known = (info.context or {}).get("opd_codes")
        if opd is not None and known is not None and opd not in known:
            raise ValueError(f"unknown OPD code {opd!r} (not in the OPD directory)")
        return opd

    @model_validator(mode="after")
    def _one_action(self) -> Then:
        if (self.opd is None) == (not self.not_competent):
            raise ValueError("give exactly one of `opd` or `not_competent: true`")
        return self


class Rule(BaseModel):
    """One routing rule."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: RuleId
    description: str | None = None
    priority: int = 0
    when: When = Field(default_factory=When)
    then: Then


class RuleSet(BaseModel):
    """A versioned rule set; `ordered` is the evaluation order."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: Text
    rules: list[Rule]

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, version: Any) -> Any:
        return str(version) if isinstance(version, int | float) else version

    @model_validator(mode="after")
    def _unique_ids(self) -> RuleSet:
        ids = [rule.id for rule in self.rules]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate rule ids: {', '.join(duplicates)}")
        return self

    @cached_property
    def ordered(self) -> list[Rule]:
        """Rules in precedence order: highest priority first, then file order (sort is stable)."""
        return sorted(self.rules, key=lambda rule: -rule.priority)


def load_rules(path: Path, directory: OpdDirectory) -> RuleSet:
    """Read and validate a rules file against the OPD directory."""
    context = {"opd_codes": directory.codes}
    return load_yaml_model(path, RuleSet, list_key="rules", id_key="id", context=context)
