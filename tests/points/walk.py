"""The points workflows for the walk test (tests/core/test_workflow_walk.py): a dispute of the
demo deputy decided by the county's office; the deputy's evaluation form, submitted by the
deputy, assessed or sent back by the office."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from renda.core.models import User
from renda.core.workflow import Step
from renda.deputies.models import Mandate
from renda.duties.models import ActivityKind, DutyRecord, RecordSource, RecordStatus
from renda.points.models import (
    Dispute,
    DisputeStatus,
    Evaluation,
    EvaluationStatus,
    Grade,
    RuleCode,
)
from tests.conftest import COUNTY
from tests.deputies.walk import saving_also

YEAR = 2025


def _deputy_mandate() -> Mandate:
    return Mandate.objects.get(person__user__username="deputy", region_id=COUNTY)


def walk_dispute(step: Step, source: str, target: str) -> tuple[Dispute, User]:
    deputy = User.objects.get(username="deputy")
    mandate = _deputy_mandate()
    record = DutyRecord.objects.create(
        mandate=mandate,
        region_id=mandate.region_id,
        kind=ActivityKind.MEETING,
        title="会议",
        occurred_on=datetime.date(YEAR, 3, 1),
        source=RecordSource.SELF,
        status=RecordStatus.CONFIRMED,
    )
    dispute = Dispute.objects.create(
        mandate=mandate,
        region_id=mandate.region_id,
        year=YEAR,
        code=RuleCode.MEETING,
        record=record,
        disputed_points=Decimal(2),
        reason="该次会议我已请假。",
        status=source,
        created_by=deputy,
    )
    if target == DisputeStatus.UPHELD:
        saving_also(dispute, adjustment=Decimal(-2))
    return dispute, User.objects.get(username="county_office")


def walk_evaluation(step: Step, source: str, target: str) -> tuple[Evaluation, User]:
    mandate = _deputy_mandate()
    evaluation, _created = Evaluation.objects.update_or_create(
        mandate=mandate,
        year=YEAR,
        defaults={"region_id": mandate.region_id, "status": source, "self_assessment": "自评"},
    )
    if target == EvaluationStatus.ASSESSED:
        saving_also(evaluation, grade=Grade.COMPETENT)
    # The deputy submits their self-assessment; the office assesses or sends it back.
    who = "deputy" if source == EvaluationStatus.DRAFT else "county_office"
    return evaluation, User.objects.get(username=who)


WALKERS: dict[str, Callable[[Step, str, str], tuple[Any, Any]]] = {
    "points.dispute": walk_dispute,
    "points.evaluation": walk_evaluation,
}
