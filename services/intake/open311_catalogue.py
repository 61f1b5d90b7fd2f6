"""The Open311 GeoReport v2 service list: the categories a client may choose (configuration)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.events import Classification

ServiceCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


class Open311Service(BaseModel):
    """One entry of `services.json`, and what a request for it becomes."""

    model_config = ConfigDict(frozen=True)

    service_code: ServiceCode
    service_name: str
    description: str = ""
    group: str = ""
    keywords: list[str] = Field(default_factory=list)
    # realtime: the answer carries the service_request_id; batch: a token, resolved later.
    type: Literal["realtime", "batch"] = "realtime"
    category: str | None = None  # the complaint's category hint; default: the service code
    classification: Classification | None = None

    def listing(self) -> dict[str, object]:
        """Return the entry as `services.json` lists it."""
        return {
            "service_code": self.service_code,
            "service_name": self.service_name,
            "description": self.description,
            "metadata": False,  # no extra attributes: the definition's list is empty
            "type": self.type,
            "keywords": ",".join(self.keywords),
            "group": self.group,
        }


def default_services() -> list[Open311Service]:
    """Return the categories served when none are configured (the router's rule topics)."""
    rows = [
        ("jalan", "Jalan dan jembatan rusak", "infrastruktur", ["jalan", "jembatan"]),
        ("lampu", "Lampu lalu lintas dan rambu", "perhubungan", ["lampu merah", "rambu"]),
        ("sampah", "Sampah dan pencemaran", "lingkungan", ["sampah", "limbah"]),
        ("kesehatan", "Layanan kesehatan", "kesehatan", ["puskesmas", "rumah sakit"]),
        ("pendidikan", "SMA, SMK dan SLB", "pendidikan", ["sma", "smk"]),
        ("adminduk", "KTP-el, KK dan akta", "adminduk", ["ktp", "kk"]),
        ("lainnya", "Lainnya", "lainnya", []),
    ]
    return [
        Open311Service(
            service_code=code, service_name=name, group=group, keywords=keywords, category=group
        )
        for code, name, group, keywords in rows
    ]
