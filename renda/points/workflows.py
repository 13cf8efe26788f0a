"""The two workflows of the points system.

A dispute is filed by the deputy on one entry of their breakdown and decided once by the
office: upheld (with an adjustment) or rejected. The yearly evaluation form is opened by the
deputy's first draft, submitted with the self-assessment, then assessed and graded by the
office or sent back to the deputy to complete.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from renda.core.workflow import Workflow, step
from renda.points import policies
from renda.points.models import (
    DISPUTE_TRANSITIONS,
    EVALUATION_TRANSITIONS,
    Dispute,
    DisputeEvent,
    DisputeStatus,
    Evaluation,
    EvaluationEvent,
    EvaluationStatus,
)

# The first timeline entries (Workflow.opened).
FILE = "file"  # the deputy files a dispute
OPEN = "open"  # the deputy's first draft opens the year's evaluation form

DISPUTE: Workflow[Dispute] = Workflow(
    key="points.dispute",
    model=Dispute,
    table=DISPUTE_TRANSITIONS,
    steps=[
        step(
            "uphold",
            DisputeStatus.UPHELD.label,
            sources=[DisputeStatus.OPEN],
            to=DisputeStatus.UPHELD,
            permission=policies.DECIDE,
        ),
        step(
            "reject",
            DisputeStatus.REJECTED.label,
            sources=[DisputeStatus.OPEN],
            to=DisputeStatus.REJECTED,
            permission=policies.DECIDE,
        ),
    ],
    policy=policies.disputes,
    event_model=DisputeEvent,
    subject_field="dispute",
)

EVALUATION: Workflow[Evaluation] = Workflow(
    key="points.evaluation",
    model=Evaluation,
    table=EVALUATION_TRANSITIONS,
    steps=[
        step(
            "submit",
            _("提交自评"),
            sources=[EvaluationStatus.DRAFT],
            to=EvaluationStatus.SUBMITTED,
            permission=policies.SELF_ASSESS,
        ),
        step(
            "assess",
            _("机关评价"),
            sources=[EvaluationStatus.SUBMITTED],
            to=EvaluationStatus.ASSESSED,
            permission=policies.ASSESS,
        ),
        step(
            "return",
            _("退回修改"),
            sources=[EvaluationStatus.SUBMITTED],
            to=EvaluationStatus.DRAFT,
            permission=policies.ASSESS,
        ),
    ],
    policy=policies.evaluations,
    event_model=EvaluationEvent,
    subject_field="evaluation",
)
