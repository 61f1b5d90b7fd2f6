"""Follow-up quality in the running service: each follow-up judged once, when it is applied,
against the OPD's template codes and its earlier replies (kept in memory, per OPD)."""

from __future__ import annotations

from services.sla.case import Case, FollowUp
from services.sla.followups import FollowUpPolicy, ReplyMemory, classify, fingerprint
from shared.events import FollowUpKind


class Judge:
    """Classifies follow-ups not judged yet and remembers them as the OPD's earlier replies."""

    def __init__(self, policy: FollowUpPolicy) -> None:
        self.policy = policy
        self.memory = ReplyMemory(policy.remembered_per_opd)

    def judge(self, case: Case) -> tuple[Case, list[FollowUp]]:
        """Return the case with every follow-up judged, and the follow-ups judged now."""
        if all(f.judged is not None for f in case.follow_ups):
            return case, []
        judged: list[FollowUp] = []
        follow_ups = tuple(self._judged(f, judged) for f in case.follow_ups)
        substantive = [f.at for f in follow_ups if f.effective is FollowUpKind.SUBSTANTIVE]
        update = {"follow_ups": follow_ups, "first_substantive_at": min(substantive, default=None)}
        return case.model_copy(update=update), judged

    def _judged(self, follow_up: FollowUp, judged: list[FollowUp]) -> FollowUp:
        if follow_up.judged is not None:
            return follow_up
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
        done = follow_up.model_copy(
            update={"judged": verdict.kind, "rule": verdict.rule, "reason": verdict.reason}
        )
        judged.append(done)
        return done
