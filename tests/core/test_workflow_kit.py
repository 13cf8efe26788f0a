"""The workflow kit itself (renda.core.workflow): a table and its steps must agree when a
workflow is declared; the mover judges a step on the locked row, not on a stale copy; a
timeline-only step writes one event and one audit row; what is offered follows the policy."""

from __future__ import annotations

import pytest

from renda.cases.models import CASE_TRANSITIONS, Case, CaseEvent, CaseStatus
from renda.cases.policies import CaseAction
from renda.cases.policies import cases as case_policy
from renda.cases.workflows import workflow as case_workflow
from renda.core.errors import IllegalTransition
from renda.core.models import AuditAction, AuditEvent, User
from renda.core.workflow import Workflow, step
from tests.cases.walk import _assigned

pytestmark = pytest.mark.django_db


def _declare(*steps: object) -> Workflow[Case]:
    return Workflow(
        key="tests.kit",
        model=Case,
        table=CASE_TRANSITIONS,
        steps=steps,  # type: ignore[arg-type]
        policy=case_policy,
        event_model=CaseEvent,
        subject_field="case",
    )


def test_a_step_outside_the_table_is_refused_when_declared() -> None:
    with pytest.raises(ValueError, match="not in the table"):
        _declare(
            step(
                "skip",
                "skip",
                sources=[CaseStatus.ASSIGNED],
                to=CaseStatus.CLOSED,
                permission=CaseAction.HANDLE,
            )
        )
    with pytest.raises(ValueError, match="unknown state"):
        _declare(step("x", "x", sources=["nowhere"], to=CaseStatus.SIGNED, permission="view"))
    twice = step("a", "a", sources=[CaseStatus.ASSIGNED], to=CaseStatus.SIGNED, permission="view")
    with pytest.raises(ValueError, match="declared twice"):
        _declare(twice, twice)
    Workflow.registry.pop("tests.kit", None)


def test_the_mover_judges_the_locked_row_not_a_stale_copy() -> None:
    case = _assigned()
    stale = Case.objects.get(pk=case.pk)
    unit = User.objects.get(username="unit")
    case_workflow.move(case, actor=unit, action="sign")
    events = CaseEvent.objects.filter(case=case).count()
    # The stale copy still says "assigned"; the row says "signed": signing again is refused.
    with pytest.raises(IllegalTransition) as refused:
        case_workflow.move(stale, actor=unit, action="sign")
    assert "办理中" in str(refused.value)
    assert CaseEvent.objects.filter(case=case).count() == events
    with pytest.raises(IllegalTransition):
        case_workflow.require(stale, "sign")


def test_a_timeline_step_writes_one_event_and_one_audit_row() -> None:
    case = _assigned()
    office = User.objects.get(username="office")
    events = CaseEvent.objects.filter(case=case).count()
    audits = AuditEvent.objects.count()
    row = case_workflow.note(
        case,
        actor=office,
        action="supervise",
        comment="请抓紧办理。",
        audit_after={"supervised": True},
    )
    assert (row.action, row.from_status, row.to_status) == ("supervise", "", "")
    assert row.actor_name == office.display_name
    assert CaseEvent.objects.filter(case=case).count() == events + 1
    assert AuditEvent.objects.count() == audits + 1
    audit_row = AuditEvent.objects.order_by("-id").first()
    assert audit_row is not None
    assert (audit_row.action, audit_row.object_id) == (AuditAction.UPDATE, str(case.pk))
    assert audit_row.region_code == case.region_id
    with pytest.raises(ValueError, match="not a timeline-only step"):
        case_workflow.note(case, actor=office, action="sign")
    with pytest.raises(ValueError, match="not a step that moves"):
        case_workflow.move(case, actor=office, action="supervise")


def test_what_is_offered_follows_the_state_and_the_policy() -> None:
    case = _assigned()
    unit = User.objects.get(username="unit")
    office = User.objects.get(username="office")
    deputy = User.objects.get(username="deputy")
    assert {"sign", "request_reassignment"} <= case_workflow.available_actions(unit, case)
    assert "sign" not in case_workflow.available_actions(office, case)
    assert "supervise" in case_workflow.available_actions(office, case)
    assert case_workflow.available_actions(deputy, case) & {"sign", "supervise"} == set()
    case_workflow.move(case, actor=unit, action="sign")
    assert "sign" not in case_workflow.available_actions(unit, case)
