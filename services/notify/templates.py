"""The reporter's messages: templates from configuration, filled in and fitted to one SMS. Pure
apart from `load_templates`, which reads the YAML file once at start-up."""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import yaml
from pydantic import BaseModel, ConfigDict

from services.notify.gsm7 import SMS_LIMIT, septets, to_gsm7
from shared.events import NoticeKind

# The only values a message may carry: the reporter's own tracking number, where to check the
# case, the public name of the OPD, and the names of the missing data.
FIELDS: Final = frozenset({"tracking", "status_url", "opd", "missing"})
# Shortened (in this order) when a short message is too long for one SMS.
_ELASTIC: Final = ("missing", "opd")
_ELLIPSIS: Final = "..."
_MIN_ELASTIC: Final = 12  # each elastic field keeps at least this much, or the template is too long


class TemplateError(ValueError):
    """A template names an unknown field, or cannot fit in one SMS."""


class Template(BaseModel):
    """One moment's texts."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    subject: str
    short: str  # one SMS, also social-media replies
    long: str  # e-mail and WhatsApp


@dataclass(frozen=True)
class Rendered:
    """A filled-in message."""

    subject: str
    text: str


class Templates(BaseModel):
    """Every moment's template; a missing one fails at start-up."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    receipt: Template
    disposition: Template
    follow_up: Template
    resolution: Template
    postponement: Template

    def of(self, kind: NoticeKind) -> Template:
        """Return the template of a moment."""
        template: Template = getattr(self, kind.value)
        return template


def load_templates(path: Path, *, status_url: str) -> Templates:
    """Read and check the templates: known fields only, and every short text fits one SMS with
    the configured status URL and the longest OPD names."""
    templates = Templates.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    worst = {
        "tracking": "ADU-XXXX-XXXX",
        "status_url": status_url.format(tracking="ADU-XXXX-XXXX"),
        "opd": "x" * 200,
        "missing": "x" * 300,
    }
    for kind in NoticeKind:
        template = templates.of(kind)
        for text in (template.subject, template.short, template.long):
            unknown = _fields_of(text) - FIELDS
            if unknown:
                raise TemplateError(f"{kind}: unknown fields {sorted(unknown)}")
        render(template, worst, short=True)
    return templates


def render(template: Template, fields: Mapping[str, str], *, short: bool) -> Rendered:
    """Fill in a template; a short text is made GSM-7 and shortened to one SMS."""
    values = {name: fields.get(name, "") for name in FIELDS}
    subject = template.subject.format_map(values)
    if not short:
        return Rendered(subject, template.long.format_map(values).strip())
    return Rendered(subject, fit_sms(template.short, values))


def fit_sms(pattern: str, values: Mapping[str, str]) -> str:
    """Fill `pattern` in GSM-7 within one SMS, shortening the elastic fields as needed."""
    values = {name: to_gsm7(" ".join(value.split())) for name, value in values.items()}
    text = pattern.format_map(values)
    for name in _ELASTIC:
        over = septets(text) - SMS_LIMIT
        if over <= 0:
            return text
        if "{" + name + "}" in pattern:
            values[name] = _shorten(values[name], over)
            text = pattern.format_map(values)
    if septets(text) > SMS_LIMIT:
        raise TemplateError(f"{septets(text)} septets, over one SMS: {pattern!r}")
    return text


def _shorten(value: str, over: int) -> str:
    """Cut `over` septets (and room for the ellipsis) off `value`, keeping a readable start."""
    keep = max(_MIN_ELASTIC, len(value) - over - len(_ELLIPSIS))
    if keep >= len(value):
        return value
    shortened = value[:keep].rstrip(" ,;") + _ELLIPSIS
    while septets(shortened) > septets(value) - over and keep > _MIN_ELASTIC:
        keep -= 1  # an extension character counts twice: cut one more
        shortened = value[:keep].rstrip(" ,;") + _ELLIPSIS
    return shortened


def _fields_of(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}
