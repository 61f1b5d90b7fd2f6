"""The OPDs' public names, from the directory the router also reads (deploy/config/opd.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True)
class OpdNames:
    """Code -> public name; triage desks are not an OPD to announce to the reporter."""

    names: dict[str, str]
    triage: frozenset[str]

    def name(self, code: str | None) -> str:
        """Return the OPD's name, or its code when the directory does not know it."""
        return self.names.get(code or "", code or "")

    def is_triage(self, code: str) -> bool:
        """Tell whether `code` is a coordinator's triage desk rather than an OPD."""
        return code in self.triage or code == "triage"


def load_opd_names(path: Path) -> OpdNames:
    """Read the OPD directory file."""
    opds = yaml.safe_load(path.read_text(encoding="utf-8")).get("opds", [])
    return OpdNames(
        names={o["code"]: o["name"] for o in opds},
        triage=frozenset(o["code"] for o in opds if o.get("role") == "triage"),
    )
