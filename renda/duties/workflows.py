"""The two workflows of duty performance.

An activity is published (planned), then closed, which fixes its attendance, or cancelled.
A duty record is submitted (by the deputy, or by a station or office on the deputy's behalf),
then confirmed, when it counts, or returned with a reason and resubmitted once corrected.
Records written at an activity's close or by another module start confirmed.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from renda.core.policies import Action
from renda.core.workflow import Workflow, step
from renda.deputies import selectors as deputy_selectors
from renda.duties.models import (
    ACTIVITY_TRANSITIONS,
    RECORD_TRANSITIONS,
    Activity,
    ActivityEvent,
    ActivityStatus,
    DutyRecord,
    DutyRecordEvent,
    RecordStatus,
)
from renda.duties.policies import activities as activity_policy
from renda.duties.policies import records as record_policy

# The first timeline entries (Workflow.opened).
PUBLISH = "publish"  # an organizer publishes an activity
SUBMIT = "submit"  # a deputy reports, or a station or office enters on their behalf
ATTEND = "attend"  # an attendee's record, written when the activity closes
FROM_MODULE = "record"  # another module's fact (a suggestion, an opinion, a meeting)

ACTIVITY: Workflow[Activity] = Workflow(
    key="duties.activity",
    model=Activity,
    table=ACTIVITY_TRANSITIONS,
    steps=[
        step(
            "close",
            _("结束活动"),
            sources=[ActivityStatus.PLANNED],
            to=ActivityStatus.CLOSED,
            permission=Action.CHANGE,
        ),
        step(
            "cancel",
            _("取消活动"),
            sources=[ActivityStatus.PLANNED],
            to=ActivityStatus.CANCELLED,
            permission=Action.CHANGE,
        ),
    ],
    policy=activity_policy,
    event_model=ActivityEvent,
    subject_field="activity",
)


def may_enter_for(user: Any, record: DutyRecord) -> bool:
    """Whether the user may write for the record's deputy (the deputy, their station, an
    office over their congress): who may correct and resubmit a returned record."""
    if user is None:
        return False
    mandates = deputy_selectors.mandates_for_entry(user, policy=record_policy)
    return mandates.filter(pk=record.mandate_id).exists()


RECORD: Workflow[DutyRecord] = Workflow(
    key="duties.record",
    model=DutyRecord,
    table=RECORD_TRANSITIONS,
    steps=[
        step(
            "resubmit",
            _("重新提交"),
            sources=[RecordStatus.RETURNED],
            to=RecordStatus.SUBMITTED,
            # Anyone who sees the record; the guard asks whether they may write for it.
            permission=Action.VIEW,
            guard=may_enter_for,
        ),
        step(
            "confirm",
            _("确认"),
            sources=[RecordStatus.SUBMITTED],
            to=RecordStatus.CONFIRMED,
            permission=Action.CHANGE,
        ),
        step(
            "return",
            _("退回"),
            sources=[RecordStatus.SUBMITTED],
            to=RecordStatus.RETURNED,
            permission=Action.CHANGE,
        ),
    ],
    policy=record_policy,
    event_model=DutyRecordEvent,
    subject_field="record",
)
