"""The three workflows of duty performance.

An activity is published (planned), then closed, which fixes its attendance, or cancelled.
While it is planned, each invitation's attendance is recorded by the organizer or answered by
the invitee (leave, sign-in); closing it makes the invitees still invited absent.
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
    INVITATION_TRANSITIONS,
    RECORD_TRANSITIONS,
    Activity,
    ActivityEvent,
    ActivityStatus,
    AttendanceStatus,
    DutyRecord,
    DutyRecordEvent,
    Invitation,
    InvitationEvent,
    RecordStatus,
)
from renda.duties.policies import RESPOND
from renda.duties.policies import activities as activity_policy
from renda.duties.policies import invitations as invitation_policy
from renda.duties.policies import records as record_policy

# The first timeline entries (Workflow.opened).
PUBLISH = "publish"  # an organizer publishes an activity
SUBMIT = "submit"  # a deputy reports, or a station or office enters on their behalf
ATTEND = "attend"  # an attendee's record, written when the activity closes
FROM_MODULE = "record"  # another module's fact (a suggestion, an opinion, a meeting)
INVITE = "invite"  # a deputy invited when the activity is published or later

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


def activity_planned(user: Any, invitation: Invitation) -> bool:
    """Attendance moves only while the activity is planned; its close fixes it."""
    return invitation.activity.status == ActivityStatus.PLANNED


# What the organizer can record, from any of them.
RECORDED = (AttendanceStatus.ATTENDED, AttendanceStatus.LEAVE, AttendanceStatus.INVITED)
# Until they have signed in, the invitee may ask for leave or sign in.
ANSWERABLE = (AttendanceStatus.INVITED, AttendanceStatus.LEAVE)

INVITATION: Workflow[Invitation] = Workflow(
    key="duties.invitation",
    model=Invitation,
    table=INVITATION_TRANSITIONS,
    steps=[
        step(
            "record",
            _("登记出席情况"),
            sources=RECORDED,
            to=RECORDED,
            permission=Action.CHANGE,
            guard=activity_planned,
        ),
        step(
            "leave",
            _("请假"),
            sources=ANSWERABLE,
            to=AttendanceStatus.LEAVE,
            permission=RESPOND,
            guard=activity_planned,
        ),
        step(
            "check_in",
            _("签到"),
            sources=ANSWERABLE,
            to=AttendanceStatus.ATTENDED,
            permission=RESPOND,
            guard=activity_planned,
        ),
        # Taken on all the remaining invitees at once when the activity closes.
        step(
            "absent",
            _("记为缺席"),
            sources=[AttendanceStatus.INVITED],
            to=AttendanceStatus.ABSENT,
            permission=Action.CHANGE,
            guard=activity_planned,
        ),
    ],
    policy=invitation_policy,
    event_model=InvitationEvent,
    subject_field="invitation",
    # An invitation belongs where its activity does.
    region_of=lambda invitation: invitation.activity.region_id,
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
