"""`python -m bench._profiled_intake`: the intake, its relay thread under cProfile; the stats go
to the file named by RELAY_PROFILE when the relay stops (bench/relay_profile.py)."""

from __future__ import annotations

import cProfile
import os
import sys

from services.intake import __main__ as intake
from services.intake.relay import RelayWorker

_run = RelayWorker._run


def _profiled(self: RelayWorker) -> None:
    profile = cProfile.Profile()
    profile.enable()
    try:
        _run(self)
    finally:
        profile.disable()
        profile.dump_stats(os.environ["RELAY_PROFILE"])


RelayWorker._run = _profiled  # type: ignore[method-assign]

if __name__ == "__main__":
    sys.exit(intake.main(["serve"]))
