"""The OPD directory: which units exist and whose they are. The topic each one reads follows the
one OPD topic rule, `shared.config.Topics.opd`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from services.router.loading import load_yaml_model
from shared.regions import RegionCode

OpdCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{1,39}$")]
TRIAGE = "triage"


class Contact(BaseModel):
    """How the OPD's Admin Penghubung is reached."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    email: str | None = None
    phone: str | None = None


class Opd(BaseModel):
    """One OPD (organisasi perangkat daerah) or the triage desk."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: OpdCode
    name: str = Field(min_length=1)
    parent: str = Field(min_length=1, description="The instansi it belongs to.")
    region: RegionCode | None = Field(
        default=None, description="The government it belongs to; none for the deployment's desk."
    )
    role: Literal["opd", "triage"] = Field(
        default="opd", description="`triage`: an Admin Koordinator's desk, not a competent unit."
    )
    contact: Contact = Field(default_factory=Contact)


class OpdDirectory(BaseModel):
    """All OPDs the router may assign to; the triage desk must be one of them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    opds: list[Opd] = Field(min_length=1)

    @model_validator(mode="after")
    def _codes_unique_and_triage_present(self) -> OpdDirectory:
        codes = [opd.code for opd in self.opds]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise ValueError(f"duplicate OPD codes: {', '.join(duplicates)}")
        if TRIAGE not in codes:
            raise ValueError(f"the directory must list the {TRIAGE!r} desk")
        return self

    @property
    def codes(self) -> frozenset[str]:
        """Every known OPD code."""
        return frozenset(opd.code for opd in self.opds)

    @property
    def desks(self) -> dict[str, str]:
        """Triage desk code by region (canonical code); the `triage` desk is the fallback."""
        return {
            opd.region: opd.code
            for opd in self.opds
            if opd.role == "triage" and opd.region and opd.code != TRIAGE
        }


def load_directory(path: Path) -> OpdDirectory:
    """Read and validate the OPD directory file."""
    return load_yaml_model(path, OpdDirectory, list_key="opds", id_key="code")
