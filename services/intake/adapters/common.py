"""Wire pieces every channel shares: text limits, location, attachments, reporter, flags."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    HttpUrl,
    StrictBool,
    StringConstraints,
    WithJsonSchema,
)

from services.intake.contact import (
    EMAIL_PATTERN,
    NIK_PATTERN,
    normalise_email,
    normalise_nik,
    normalise_phone,
)
from shared.events import Attachment, Classification, Location, Reporter
from shared.regions import RegionCode


def _stripped(value: str) -> str:
    """Trim after the length check, so the schema's maxLength is exactly what is enforced."""
    text = value.strip()
    if not text:
        raise ValueError("must not be blank")
    return text


Text = Annotated[str, StringConstraints(min_length=1, max_length=300), AfterValidator(_stripped)]
LongText = Annotated[
    str, StringConstraints(min_length=1, max_length=50_000), AfterValidator(_stripped)
]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=60), AfterValidator(_stripped)]
Ref = Annotated[str, StringConstraints(min_length=1, max_length=200), AfterValidator(_stripped)]
Short = Annotated[str, StringConstraints(max_length=200), AfterValidator(str.strip)]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Nik = Annotated[
    str,
    AfterValidator(normalise_nik),
    WithJsonSchema({"type": "string", "pattern": NIK_PATTERN, "description": "NIK: 16 digits"}),
]
Email = Annotated[
    str,
    AfterValidator(normalise_email),
    WithJsonSchema({"type": "string", "maxLength": 254, "pattern": EMAIL_PATTERN}),
]
MobilePhone = Annotated[
    str,
    AfterValidator(normalise_phone),
    WithJsonSchema({"type": "string", "description": "08…, 628… or +628…; stored as +628…"}),
]
# Numbers are strict (no "5" for 5) and sizes stay within what JSON and BSON hold exactly.
Size = Annotated[int, Field(strict=True, ge=0, le=2**53)]
Lat = Annotated[float, Field(strict=True, ge=-90, le=90)]
Lon = Annotated[float, Field(strict=True, ge=-180, le=180)]


def _text_only(value: object) -> object:
    """Dates come as text: a number would be read as seconds since 1970, a silent guess."""
    if isinstance(value, int | float):
        raise ValueError("give dates and times as ISO 8601 text")
    return value


Day = Annotated[date, BeforeValidator(_text_only)]
Moment = Annotated[AwareDatetime, BeforeValidator(_text_only)]
_FIRST_LINE = re.compile(r"\s+")


class Body(BaseModel):
    """Base of every wire model: unknown fields ignored."""

    # Unknown fields are ignored so a connector may send more than we read.
    model_config = ConfigDict(extra="ignore")


class LocationIn(Body):
    """Where it happened, as a connector or officer knows it."""

    text: Annotated[str, StringConstraints(max_length=500)] | None = None
    lat: Lat | None = None
    lon: Lon | None = None
    region_code: RegionCode | None = Field(
        default=None, description="province or kabupaten/kota code: 35, 35.78 or 3578"
    )


class AttachmentIn(Body):
    """A file the connector already stored; we keep only the reference."""

    url: HttpUrl
    media_type: Annotated[str, StringConstraints(max_length=100)] | None = None
    name: Annotated[str, StringConstraints(max_length=255)] | None = None
    size: Size | None = None
    sha256: Sha256 | None = None


class ReporterIn(Body):
    """Who reported; every field optional, each checked and normalised when given."""

    name: Short | None = None
    nik: Nik | None = None
    phone: MobilePhone | None = None
    email: Email | None = None
    address: Annotated[str, StringConstraints(max_length=500)] | None = None


class Flags(Body):
    """The LAPOR! flags: strict booleans, so `0` or `"no"` is refused rather than guessed."""

    anonymous: StrictBool = False
    confidential: StrictBool = False


class Hints(Flags):
    """What a connector may know besides the text: where, when, which kind."""

    location: LocationIn | None = None
    category: Annotated[str, StringConstraints(max_length=100)] | None = None
    classification: Classification | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=20)


def location(given: LocationIn | None) -> Location:
    """Map the wire location to the event's."""
    return Location(**given.model_dump()) if given else Location()


def attachments(given: list[AttachmentIn]) -> list[Attachment]:
    """Map wire attachments to event references."""
    return [Attachment(**{**a.model_dump(), "url": str(a.url)}) for a in given]


def reporter(given: BaseModel | None, **extra: Any) -> Reporter | None:
    """Build the reporter block; with no field set, there is nobody to contact: None."""
    fields = {**(given.model_dump() if given else {}), **extra}
    kept = {k: v for k, v in fields.items() if v}
    return Reporter(**kept) if kept else None


def title_from(text: str, limit: int = 80) -> str:
    """Make a title from a text that has none: its first line, cut at a word, with an ellipsis."""
    stripped = text.strip()
    first = _FIRST_LINE.sub(" ", stripped.splitlines()[0] if stripped else "").strip()
    if len(first) <= limit:
        return first or "(tanpa judul)"
    cut = first[:limit].rsplit(" ", 1)[0] or first[:limit]
    return cut.rstrip(" ,.;:") + "…"


def unique_tags(*groups: list[str]) -> list[str]:
    """Concatenate tag lists, dropping repeats and keeping order."""
    return list(dict.fromkeys(tag for group in groups for tag in group))
