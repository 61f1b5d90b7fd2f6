"""The declarative rule set: conditions on a complaint, and what to do when they hold."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from services.router.directory import OpdCode, OpdDirectory
from services.router.loading import ConfigFileError, line_of, load_yaml_model_with_lines
from services.router.matching import EXACT_MARK, compile_phrase
from shared.events import Channel, Classification, Priority
from shared.regions import RegionCode

if TYPE_CHECKING:
    from services.router.engine import Engine

RuleId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")]
TermName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_]{0,39}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _as_list(value: Any) -> Any:
    """Let a single value stand for a one-item list (`channel: web`)."""
    return [value] if isinstance(value, str) else value


def normalise_keywords(keywords: list[str]) -> list[str]:
    """Normalise keywords like the text they are matched against ("rs" is "rumah sakit")."""
    phrases = [compile_phrase(k) for k in keywords]
    empty = [k for k, p in zip(keywords, phrases, strict=True) if not p.text]
    if empty:
        raise ValueError(f"keywords with no letters or digits: {empty}")
    return [(EXACT_MARK if p.exact else "") + p.text for p in phrases]


class When(BaseModel):
    """Conditions; every one given must hold. Lists of values mean "any of these"."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    keywords: list[Text] = Field(
        default_factory=list, validation_alias=AliasChoices("keywords", "keywords_any")
    )
    terms: list[TermName] = Field(default_factory=list)
    category: list[Text] = Field(default_factory=list)
    classification: list[Classification] = Field(default_factory=list)
    region: list[RegionCode] = Field(default_factory=list)
    channel: list[Channel] = Field(default_factory=list)
    all_: list[When] = Field(default_factory=list, alias="all")
    any_: list[When] = Field(default_factory=list, alias="any")
    not_: When | None = Field(default=None, alias="not")

    _listify = field_validator(
        "category", "classification", "region", "channel", "terms", mode="before"
    )(_as_list)
    _keywords = field_validator("keywords", mode="after")(normalise_keywords)

    @field_validator("category", mode="after")
    @classmethod
    def _fold_category(cls, categories: list[str]) -> list[str]:
        return [c.casefold() for c in categories]

    @property
    def is_empty(self) -> bool:
        """A condition with nothing in it holds for every complaint."""
        return not any(getattr(self, name) for name in type(self).model_fields)


class Then(BaseModel):
    """The action: an OPD (or a triage desk), or "not our competence" naming who is."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    opd: OpdCode | None = None
    not_competent: bool = False
    institution: Text | None = Field(default=None, description="Who is competent instead.")
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
        if self.not_competent and not self.institution:
            raise ValueError("`not_competent: true` needs `institution`: who is competent")
        if self.opd and self.institution:
            raise ValueError("`institution` goes with `not_competent: true`, not with `opd`")
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
    """A versioned rule set with named term lists; `ordered` is the evaluation order."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: Text
    terms: dict[TermName, list[Text]] = Field(default_factory=dict)
    rules: list[Rule]
    desks: dict[str, str] = Field(default_factory=dict, exclude=True)
    warnings: list[str] = Field(default_factory=list, exclude=True)

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, version: Any) -> Any:
        return str(version) if isinstance(version, int | float) else version

    @field_validator("terms", mode="after")
    @classmethod
    def _normalise_terms(cls, terms: dict[str, list[str]]) -> dict[str, list[str]]:
        return {name: normalise_keywords(words) for name, words in terms.items()}

    @field_validator("desks", "warnings", mode="before")
    @classmethod
    def _not_from_the_file(cls, value: Any) -> Any:
        if value:  # the loader fills these with model_copy, which does not validate
            raise ValueError("set by the loader, not in the rules file")
        return value

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

    @cached_property
    def engine(self) -> Engine:
        """The compiled form `decide` runs (phrases stemmed, rules indexed by region)."""
        from services.router.engine import Engine  # noqa: PLC0415  # engine imports this module

        return Engine(self)


def load_rules(path: Path, directory: OpdDirectory) -> RuleSet:
    """Read, validate and check a rules file against the OPD directory; compile it."""
    from services.router.analysis import problems  # noqa: PLC0415  # analysis imports this module

    context = {"opd_codes": directory.codes}
    rules, lines = load_yaml_model_with_lines(
        path, RuleSet, list_key="rules", id_key="id", context=context
    )
    errors, warnings = problems(rules)
    if errors:
        where = [f"{path}:{line_of(lines, ('rules', i)) or 1}: {msg}" for i, msg in errors]
        raise ConfigFileError(f"{path}: invalid:\n  " + "\n  ".join(where))
    rules = rules.model_copy(
        update={
            "desks": directory.desks,
            "warnings": [f"{path}:{line_of(lines, ('rules', i))}: {m}" for i, m in warnings],
        }
    )
    _ = rules.engine  # compile now: a reload pays the cost, not the first complaint
    return rules
