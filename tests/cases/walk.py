"""The case workflow's walker for tests/core/test_workflow_walk.py: a case brought to each
state through the services (assigned to the demo unit 市住建局, whose staff account "unit"
and leader account "unit_leader" handle it; the demo deputy is its author), and the account
allowed to take each step."""

from __future__ import annotations

import uuid
from typing import Any

from renda.cases import services
from renda.cases.models import Case, CaseStatus, Rating
from renda.core.models import Congress, User
from renda.core.workflow import Step

CITY = "430400000000"
SUBJECT = "tests.walk"

# Who takes each step: the lead unit's staff, its leader, the office, the author.
ACTORS = {
    "sign": "unit",
    "request_reassignment": "unit",
    # The leader's own reply goes out at once; the staff's is a draft for the leader.
    "reply": "unit_leader",
    "draft_reply": "unit",
    "approve_reply": "unit_leader",
    "return_reply": "unit_leader",
    "approve_reassignment": "office",
    "refuse_reassignment": "office",
    "rate": "deputy",
}


def _u(username: str) -> User:
    return User.objects.get(username=username)


def _assigned() -> Case:
    unit = _u("unit").grants.get().organization
    assert unit is not None
    return services.assign(
        actor=_u("office"),
        subject_type=SUBJECT,
        subject_id=uuid.uuid4().hex,
        title="关于老旧小区加装电梯的建议",
        congress=Congress.objects.get(region_id=CITY),
        author=_u("deputy"),
        lead_unit=unit,
    )


def _signed() -> Case:
    return services.sign(actor=_u("unit"), case=_assigned())


def _replied() -> Case:
    case = _signed()
    services.reply(
        actor=_u("unit_leader"), case=case, result_class="A", content="已解决。", measures=""
    )
    return case


def _reopened() -> Case:
    return services.rate(
        actor=_u("deputy"), case=_replied(), rating=Rating.UNSATISFIED, comment="未解决。"
    )


def _drafted(target: str) -> Case:
    """A draft awaiting sign-off; returned, it goes back to ``target`` (signed or reopened)."""
    case = _reopened() if target == CaseStatus.REOPENED else _signed()
    services.reply(actor=_u("unit"), case=case, result_class="A", content="初稿。", measures="")
    return case


def _requested(target: str) -> Case:
    """A reassignment request; refused, the case returns to ``target``."""
    case = _signed() if target == CaseStatus.SIGNED else _assigned()
    return services.request_reassignment(actor=_u("unit"), case=case, reason="不属于本单位职责。")


def walk(step: Step, source: str, target: str) -> tuple[Any, Any]:
    builders = {
        CaseStatus.ASSIGNED: _assigned,
        CaseStatus.SIGNED: _signed,
        CaseStatus.REPLIED: _replied,
        CaseStatus.REOPENED: _reopened,
        CaseStatus.DRAFTED: lambda: _drafted(target),
        CaseStatus.REASSIGN_REQUESTED: lambda: _requested(target),
    }
    case = Case.objects.get(pk=builders[source]().pk)
    return case, _u(ACTORS[step.action])


WALKERS = {"cases.case": walk}
