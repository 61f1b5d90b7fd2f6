"""Follow-up quality in the running service: each follow-up judged once, when it is applied,
against the OPD's template codes and its earlier replies.

The earlier replies survive a restart: each judged reply's fingerprint is stored as its own
document (insert-only, keyed by the follow-up's event id, so any number of workers write without
meeting), and an OPD's latest `remembered_per_opd` are read back the first time this process
judges a reply of that OPD. Mongo away while reading or writing them: the error propagates and
the consume loop holds the batch and tries it again, like any other store of the batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from services.sla.case import Case, FollowUp
from services.sla.followups import Fingerprint, FollowUpPolicy, ReplyMemory, classify, fingerprint
from shared.events import FollowUpKind


@dataclass(frozen=True)
class Reply:
    """A judged reply's fingerprint (`print_.ref` = the follow-up's event id), as stored."""

    opd: str
    at: datetime
    print_: Fingerprint


class ReplyStore(Protocol):
    """Where the fingerprints of judged replies are kept (repository.ReplyRepository)."""

    def latest(self, opd: str, count: int) -> list[Fingerprint]:
        """The OPD's latest `count` fingerprints, oldest first."""

    def add_many(self, replies: Sequence[Reply]) -> None:
        """Store the fingerprints (storing one again changes nothing)."""


class Judge:
    """Classifies follow-ups not judged yet and remembers them as the OPD's earlier replies."""

    def __init__(self, policy: FollowUpPolicy, store: ReplyStore) -> None:
        self.policy = policy
        self.memory = ReplyMemory(policy.remembered_per_opd)
        self._store = store
        self._loaded: set[str] = set()  # OPDs whose stored replies are in memory

    def judge(self, case: Case) -> tuple[Case, list[Reply]]:
        """Return the case with every follow-up judged, and the replies judged now (for
        `save` once the batch is sent)."""
        if all(f.judged is not None for f in case.follow_ups):
            return case, []
        judged: list[Reply] = []
        follow_ups = tuple(self._judged(f, judged) for f in case.follow_ups)
        substantive = [f.at for f in follow_ups if f.effective is FollowUpKind.SUBSTANTIVE]
        update = {"follow_ups": follow_ups, "first_substantive_at": min(substantive, default=None)}
        return case.model_copy(update=update), judged

    def save(self, replies: Sequence[Reply]) -> None:
        """Store the fingerprints of replies judged in a batch, before the batch's cases: a
        failure after this replays the batch, and storing a fingerprint again is harmless."""
        self._store.add_many(replies)

    def _judged(self, follow_up: FollowUp, judged: list[Reply]) -> FollowUp:
        if follow_up.judged is not None:
            return follow_up
        self._load(follow_up.opd)
        verdict = classify(
            follow_up.text,
            opd=follow_up.opd,
            policy=self.policy,
            template_code=follow_up.template_code,
            earlier=self.memory.earlier(follow_up.opd),
            ref=follow_up.event_id,
        )
        print_ = fingerprint(follow_up.text, self.policy, ref=follow_up.event_id)
        self.memory.remember(follow_up.opd, print_)
        judged.append(Reply(follow_up.opd, follow_up.at, print_))
        return follow_up.model_copy(
            update={"judged": verdict.kind, "rule": verdict.rule, "reason": verdict.reason}
        )

    def _load(self, opd: str) -> None:
        """Read the OPD's stored replies once per process (after a restart: the memory)."""
        if opd in self._loaded:
            return
        # Before any reply of the OPD is judged here, so the memory of it is still empty.
        for print_ in self._store.latest(opd, self.policy.remembered_per_opd):
            self.memory.remember(opd, print_)
        self._loaded.add(opd)
