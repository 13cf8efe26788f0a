"""Reminders of upcoming activities: one per invitee, however many schedulers run."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from renda.duties import services
from renda.duties.models import Activity, Invitation
from renda.notifications.models import Delivery, Notification

pytestmark = pytest.mark.django_db


def test_reminder_goes_out_once_in_app_and_by_sms(
    make_activity: Callable[..., Activity], django_capture_on_commit_callbacks: Any
) -> None:
    activity = make_activity(starts_in=datetime.timedelta(hours=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders() == 1
        assert services.send_reminders() == 0
    call_command("duty_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115
    reminders = Notification.objects.filter(kind="reminder", title__contains=activity.title)
    assert reminders.count() == 1
    assert Delivery.objects.filter(notification__in=reminders, channel="sms").count() == 1
    assert Invitation.objects.get(activity=activity).reminded_at is not None


def test_no_reminder_for_far_away_or_on_leave(make_activity: Callable[..., Activity]) -> None:
    make_activity(starts_in=datetime.timedelta(days=3))
    soon = make_activity(starts_in=datetime.timedelta(hours=2))
    Invitation.objects.filter(activity=soon).update(status="leave", leave_reason="出差")
    assert services.send_reminders() == 0


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_remind_once(reseed: None, settings: Any) -> None:
    # SQLite's in-memory test database takes table locks without waiting, and SQLite runs
    # writers one at a time anyway; the race this guards against needs PostgreSQL.
    if connection.vendor != "postgresql":
        pytest.skip("concurrent schedulers need PostgreSQL (CI's second run)")
    from renda.core.models import User
    from renda.deputies.models import Mandate

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    station = User.objects.get(username="station")
    org = station.grants.get().organization
    mandates = list(Mandate.objects.filter(stations=org))
    start = timezone.now() + datetime.timedelta(hours=3)
    activity = services.create_activity(
        actor=station,
        organizer=org,
        data=services.ActivityInput(
            "reception", "接待选民日", "", "联络站", start, start + datetime.timedelta(hours=2)
        ),
        invitees=mandates,
    )
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            services.send_reminders()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    people = User.objects.filter(person__mandates__in=mandates, is_active=True).distinct().count()
    assert (
        Notification.objects.filter(kind="reminder", title__contains=activity.title).count()
        == people
    )
    assert not Invitation.objects.filter(activity=activity, reminded_at__isnull=True).exists()
