"""The mandate workflow: a serving deputy's mandate ends in one of four ways (辞职, 罢免, 终止,
去世), each a step of its own, and an ended mandate never serves again (a new election gives a
new mandate). The election that opens a mandate is its first timeline entry."""

from __future__ import annotations

from renda.core.policies import Action
from renda.core.workflow import Workflow, step
from renda.deputies.models import MANDATE_TRANSITIONS, Mandate, MandateEvent, MandateStatus
from renda.deputies.policies import mandates as mandate_policy

ELECT = "elect"

# The step that ends a mandate in each of the ended states.
END_STEPS: dict[str, str] = {
    MandateStatus.RESIGNED: "resign",
    MandateStatus.RECALLED: "recall",
    MandateStatus.TERMINATED: "terminate",
    MandateStatus.DECEASED: "decease",
}

MANDATE: Workflow[Mandate] = Workflow(
    key="deputies.mandate",
    model=Mandate,
    table=MANDATE_TRANSITIONS,
    steps=[
        step(
            action,
            MandateStatus(status).label,
            sources=[MandateStatus.SERVING],
            to=status,
            permission=Action.CHANGE,
        )
        for status, action in END_STEPS.items()
    ],
    policy=mandate_policy,
    event_model=MandateEvent,
    subject_field="mandate",
)
