"""Organized activities: publishing invites and notifies, QR sign-in within the window and
only for invitees, leave, closing fixes attendance into duty records and absences."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from renda.core.errors import IllegalTransition, InvalidInput, NotPermitted
from renda.core.models import AuditEvent, User
from renda.deputies.models import Mandate
from renda.duties import services
from renda.duties.models import (
    Activity,
    ActivityStatus,
    AttendanceStatus,
    DutyRecord,
    Invitation,
    RecordSource,
    RecordStatus,
)
from renda.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_publishing_invites_and_notifies_each_deputy(
    make_activity: Callable[..., Activity],
) -> None:
    activity = make_activity()
    deputy = User.objects.get(username="deputy")
    assert activity.invitations.count() == 1
    note = Notification.objects.get(recipient=deputy, kind="duty_invitation")
    assert activity.title in note.title
    assert AuditEvent.objects.filter(
        object_type="duties.activity", object_id=str(activity.pk)
    ).exists()


def test_station_cannot_organize_for_another_organization(county_mandate: Mandate) -> None:
    from renda.core.models import Organization, OrganizationKind

    office = Organization.objects.get(
        region_id="430421000000", kind=OrganizationKind.CONGRESS_OFFICE
    )
    start = timezone.now()
    with pytest.raises(NotPermitted):
        services.create_activity(
            actor=User.objects.get(username="station"),
            organizer=office,
            data=services.ActivityInput(
                "meeting", "会议", "", "", start, start + datetime.timedelta(hours=1)
            ),
            invitees=[county_mandate],
        )


def test_activity_needs_a_title_times_in_order_and_invitees(station_org: Any) -> None:
    start = timezone.now()
    with pytest.raises(InvalidInput) as caught:
        services.create_activity(
            actor=User.objects.get(username="station"),
            organizer=station_org,
            data=services.ActivityInput("meeting", " ", "", "", start, start),
            invitees=[],
        )
    errors = caught.value.field_errors
    assert errors["title"] == ["请填写活动名称。"]
    assert errors["ends_at"] == ["结束时间必须晚于开始时间。"]
    assert errors["audience"] == ["请选择邀请的代表。"]
    assert not Activity.objects.filter(title=" ").exists()


def test_qr_check_in_inside_the_window(make_activity: Callable[..., Activity]) -> None:
    activity = make_activity()
    deputy = User.objects.get(username="deputy")
    invitation = services.check_in(actor=deputy, token=activity.checkin_token)
    assert invitation.status == AttendanceStatus.ATTENDED
    assert invitation.checkin_method == "qr"
    # Scanning again changes nothing.
    again = services.check_in(actor=deputy, token=activity.checkin_token)
    assert again.checked_in_at == invitation.checked_in_at


def test_qr_check_in_outside_the_window_is_refused(make_activity: Callable[..., Activity]) -> None:
    activity = make_activity(starts_in=datetime.timedelta(days=2))
    with pytest.raises(InvalidInput) as caught:
        services.check_in(actor=User.objects.get(username="deputy"), token=activity.checkin_token)
    assert "现在不能签到" in caught.value.message
    assert Invitation.objects.get(activity=activity).status == AttendanceStatus.INVITED


def test_qr_check_in_by_a_non_invitee_is_refused(make_activity: Callable[..., Activity]) -> None:
    activity = make_activity()
    other = (
        Mandate.objects.filter(region_id="430421000000")
        .exclude(person__user__username="deputy")
        .first()
    )
    assert other is not None
    outsider = User.objects.get(person=other.person)
    with pytest.raises(NotPermitted) as caught:
        services.check_in(actor=outsider, token=activity.checkin_token)
    assert "不在本次活动的邀请名单中" in caught.value.message


def test_check_in_page_shows_the_chinese_reason(
    make_activity: Callable[..., Activity], login: Callable[[str], Client]
) -> None:
    activity = make_activity(starts_in=datetime.timedelta(days=3))
    response = login("deputy").post(f"/duties/checkin/{activity.checkin_token}/")
    assert response.status_code == 400
    assert "现在不能签到" in response.content.decode()


def test_close_turns_attendance_into_records_and_absences(
    make_activity: Callable[..., Activity], django_capture_on_commit_callbacks: Any
) -> None:
    absent = (
        Mandate.objects.filter(region_id="430421000000")
        .exclude(person__user__username="deputy")
        .order_by("id")[:2]
    )
    on_leave, missing = list(absent)
    activity = make_activity(extra=(on_leave, missing))
    station = User.objects.get(username="station")
    services.check_in(actor=User.objects.get(username="deputy"), token=activity.checkin_token)
    services.set_attendance(
        actor=station,
        invitation=Invitation.objects.get(activity=activity, mandate=on_leave),
        status=AttendanceStatus.LEAVE,
        leave_reason="外出务工",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.close_activity(actor=station, activity=activity)
    statuses = dict(
        Invitation.objects.filter(activity=activity).values_list("mandate_id", "status")
    )
    assert statuses[missing.pk] == AttendanceStatus.ABSENT
    assert statuses[on_leave.pk] == AttendanceStatus.LEAVE
    record = DutyRecord.objects.get(activity=activity)
    assert record.source == RecordSource.ORGANIZED
    assert record.status == RecordStatus.CONFIRMED
    assert record.mandate.person.user.username == "deputy"
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.CLOSED
    with pytest.raises(IllegalTransition) as caught:
        services.close_activity(actor=station, activity=activity)
    assert "已结束" in caught.value.message
    assert DutyRecord.objects.filter(activity=activity).count() == 1


def test_leave_request_needs_a_reason_and_is_recorded(
    make_activity: Callable[..., Activity],
) -> None:
    activity = make_activity(starts_in=datetime.timedelta(days=1))
    deputy = User.objects.get(username="deputy")
    with pytest.raises(InvalidInput):
        services.request_leave(actor=deputy, activity=activity, reason=" ")
    invitation = services.request_leave(actor=deputy, activity=activity, reason="住院")
    assert invitation.status == AttendanceStatus.LEAVE
    assert invitation.leave_reason == "住院"


def test_cancel_needs_a_reason_and_notifies(
    make_activity: Callable[..., Activity], django_capture_on_commit_callbacks: Any
) -> None:
    activity = make_activity(starts_in=datetime.timedelta(days=1))
    station = User.objects.get(username="station")
    with pytest.raises(InvalidInput):
        services.cancel_activity(actor=station, activity=activity, reason="")
    services.cancel_activity(actor=station, activity=activity, reason="暴雨预警")
    assert Notification.objects.filter(title__startswith="活动取消").count() == 1
    with pytest.raises(IllegalTransition):
        services.check_in(actor=User.objects.get(username="deputy"), token=activity.checkin_token)


def test_activity_pages_for_organizer_and_deputy(
    make_activity: Callable[..., Activity], login: Callable[[str], Client]
) -> None:
    activity = make_activity()
    page = login("station").get(f"/duties/activities/{activity.pk}/").content.decode()
    assert "签到二维码" in page
    assert "受邀代表" in page
    qr = login("station").get(f"/duties/activities/{activity.pk}/qr.png")
    assert qr.status_code == 200
    assert qr.content.startswith(b"\x89PNG")
    mine = login("deputy").get(f"/duties/activities/{activity.pk}/").content.decode()
    assert "我的出席" in mine
    assert "受邀代表" not in mine
    assert login("deputy").get(f"/duties/activities/{activity.pk}/qr.png").status_code == 403
    assert login("unit").get(f"/duties/activities/{activity.pk}/").status_code == 404


def test_publish_form_keeps_input_on_error(
    login: Callable[[str], Client], station_org: Any
) -> None:
    client = login("station")
    form = client.get("/duties/activities/new/").content.decode()
    assert "联系的全部代表" in form
    response = client.post(
        "/duties/activities/new/",
        {
            "organizer": station_org.pk,
            "kind": "reception",
            "title": "接待日",
            "starts_at": "2026-12-05T09:00",
            "ends_at": "2026-12-05T08:00",
            "audience": f"station:{station_org.pk}",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "结束时间必须晚于开始时间。" in body
    assert 'value="接待日"' in body
