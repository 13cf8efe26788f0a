"""Attendance goes through the invitation workflow (duties.invitation): each step is on the
invitation's timeline with one audit row in the activity's region, and closing an activity
marks every remaining invitee absent in one step whose statements do not grow with them."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from renda.core.errors import IllegalTransition, NotFound, NotPermitted
from renda.core.models import AuditAction, AuditEvent, User
from renda.deputies.models import Mandate, MandateStatus
from renda.duties import services
from renda.duties.models import Activity, AttendanceStatus, Invitation, InvitationEvent
from renda.duties.workflows import INVITATION

pytestmark = pytest.mark.django_db

INVITED, ATTENDED, LEAVE, ABSENT = (
    AttendanceStatus.INVITED,
    AttendanceStatus.ATTENDED,
    AttendanceStatus.LEAVE,
    AttendanceStatus.ABSENT,
)


def _steps(invitation: Invitation) -> list[tuple[str, str, str]]:
    return [(e.action, e.from_status, e.to_status) for e in invitation.events.order_by("at", "id")]


def _others(count: int) -> tuple[Mandate, ...]:
    return tuple(
        Mandate.objects.filter(region_id="430421000000", status=MandateStatus.SERVING)
        .exclude(person__user__username="deputy")
        .order_by("id")[:count]
    )


def _transitions(invitation: Invitation) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            object_type="duties.invitation",
            object_id=str(invitation.pk),
            action=AuditAction.TRANSITION,
        ).order_by("id")
    )


def test_each_attendance_step_is_on_the_timeline_and_audited(
    make_activity: Callable[..., Activity],
) -> None:
    activity = make_activity(starts_in=datetime.timedelta(minutes=-10))
    deputy = User.objects.get(username="deputy")
    station = User.objects.get(username="station")
    invitation = Invitation.objects.get(activity=activity, mandate__person__user=deputy)
    assert _steps(invitation) == [("invite", "", INVITED)]
    assert INVITATION.available_actions(deputy, invitation) == {"leave", "check_in"}
    assert INVITATION.available_actions(station, invitation) == {"record", "absent"}

    services.request_leave(actor=deputy, activity=activity, reason="住院")
    services.check_in(actor=deputy, token=activity.checkin_token)
    services.check_in(actor=deputy, token=activity.checkin_token)  # a second scan: nothing
    services.set_attendance(
        actor=station, invitation=invitation, status=LEAVE, leave_reason="临时出差"
    )
    assert _steps(invitation) == [
        ("invite", "", INVITED),
        ("leave", INVITED, LEAVE),
        ("check_in", LEAVE, ATTENDED),
        ("record", ATTENDED, LEAVE),
    ]
    events = list(invitation.events.order_by("at", "id"))
    assert [e.actor_name for e in events] == [
        station.display_name,
        deputy.display_name,
        deputy.display_name,
        station.display_name,
    ]
    assert events[1].comment == "住院"
    rows = _transitions(invitation)
    assert [(r.before, r.after["status"]) for r in rows] == [
        ({"status": INVITED}, LEAVE),
        ({"status": LEAVE}, ATTENDED),
        ({"status": ATTENDED}, LEAVE),
    ]
    # The other fields the step changed are shown beside the status.
    assert rows[0].after["leave_reason"] == "住院"
    assert rows[1].after["checkin_method"] == "qr"
    assert rows[2].after["leave_reason"] == "临时出差"
    # The invitation is in its activity's region in the log.
    assert {r.region_code for r in rows} == {activity.region_id}
    invitation.refresh_from_db()
    assert (invitation.status, invitation.leave_reason, invitation.checked_in_at) == (
        LEAVE,
        "临时出差",
        None,
    )


def test_closing_marks_the_rest_absent_each_on_its_timeline(
    make_activity: Callable[..., Activity], django_capture_on_commit_callbacks: Any
) -> None:
    on_leave, *missing = _others(3)
    activity = make_activity(extra=(on_leave, *missing))
    station = User.objects.get(username="station")
    services.check_in(actor=User.objects.get(username="deputy"), token=activity.checkin_token)
    services.set_attendance(
        actor=station,
        invitation=Invitation.objects.get(activity=activity, mandate=on_leave),
        status=LEAVE,
        leave_reason="外出务工",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.close_activity(actor=station, activity=activity)
    for mandate in missing:
        invitation = Invitation.objects.get(activity=activity, mandate=mandate)
        assert invitation.status == ABSENT
        assert invitation.updated_by == station
        assert _steps(invitation) == [("invite", "", INVITED), ("absent", INVITED, ABSENT)]
        last = invitation.events.order_by("at", "id").last()
        assert last is not None
        assert (last.actor, last.actor_name) == (station, station.display_name)
        [row] = _transitions(invitation)
        assert (row.before, row.after, row.region_code, row.actor) == (
            {"status": INVITED},
            {"status": ABSENT},
            activity.region_id,
            station,
        )
    # Who came or asked for leave is not touched by the close.
    kept = Invitation.objects.get(activity=activity, mandate=on_leave)
    assert _steps(kept)[-1] == ("record", INVITED, LEAVE)
    assert (
        InvitationEvent.objects.filter(invitation__activity=activity, action="absent").count() == 2
    )
    # Nothing moves once the activity is closed.
    assert INVITATION.available_actions(station, kept) == set()


def _close_queries(make_activity: Callable[..., Activity], invitees: int) -> int:
    activity = make_activity(extra=_others(invitees))
    services.check_in(actor=User.objects.get(username="deputy"), token=activity.checkin_token)
    station = User.objects.get(username="station")
    with CaptureQueriesContext(connection) as queries:
        services.close_activity(actor=station, activity=activity)
    assert Invitation.objects.filter(activity=activity, status=ABSENT).count() == invitees
    return len(queries.captured_queries)


def test_closing_takes_the_same_statements_for_few_or_many_absentees(
    make_activity: Callable[..., Activity],
) -> None:
    few = _close_queries(make_activity, 2)
    many = _close_queries(make_activity, 12)
    assert many == few
    assert many <= 25


def test_a_row_that_does_not_fit_refuses_the_whole_step(
    make_activity: Callable[..., Activity],
) -> None:
    activity = make_activity(extra=_others(1))
    station = User.objects.get(username="station")
    services.check_in(actor=User.objects.get(username="deputy"), token=activity.checkin_token)
    rows = list(activity.invitations.order_by("id"))
    assert {r.status for r in rows} == {INVITED, ATTENDED}
    events, audits = InvitationEvent.objects.count(), AuditEvent.objects.count()
    with pytest.raises(IllegalTransition) as caught:
        INVITATION.move_many(rows, actor=station, action="absent")
    assert "已出席" in caught.value.message
    assert (InvitationEvent.objects.count(), AuditEvent.objects.count()) == (events, audits)
    assert {r.status for r in activity.invitations.all()} == {INVITED, ATTENDED}
    # The policy is asked for all the rows: a deputy cannot mark anyone absent.
    invited = [r for r in rows if r.status == INVITED]
    with pytest.raises((NotPermitted, NotFound)):
        INVITATION.move_many(invited, actor=User.objects.get(username="deputy"), action="absent")
    assert InvitationEvent.objects.count() == events


def test_a_queryset_moves_the_rows_it_selects(make_activity: Callable[..., Activity]) -> None:
    activity = make_activity(extra=_others(2))
    station = User.objects.get(username="station")
    services.check_in(actor=User.objects.get(username="deputy"), token=activity.checkin_token)
    rows = Invitation.objects.filter(activity=activity, status=INVITED).select_related("activity")
    events = INVITATION.move_many(rows, actor=station, action="absent", comment="未到场")
    assert len(events) == 2
    assert {(e.from_status, e.to_status, e.comment) for e in events} == {
        (INVITED, ABSENT, "未到场")
    }
    assert sorted(activity.invitations.values_list("status", flat=True)) == [
        ABSENT,
        ABSENT,
        ATTENDED,
    ]
    # Nothing selected: nothing written.
    assert INVITATION.move_many(rows, actor=station, action="absent") == []
