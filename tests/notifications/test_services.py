"""notify / mark_read / preferences: what rows are written, and when tasks are enqueued."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django_tasks import default_task_backend

from renda.core.errors import InvalidInput, NotFound
from renda.core.models import AuditEvent
from renda.notifications import selectors, services
from renda.notifications.models import Delivery, DeliveryStatus, Notification, Preference
from tests.notifications.conftest import DUMMY

pytestmark = pytest.mark.django_db


@pytest.fixture
def dummy_tasks(settings: Any) -> Any:
    settings.TASKS = DUMMY
    return default_task_backend


def enqueued_ids(backend: Any) -> list[int]:
    return [r.args[0] for r in backend.results if r.task.name == "deliver"]


def test_notify_creates_inbox_rows_and_deliveries_per_kind_defaults(
    user: Any, dummy_tasks: Any, django_capture_on_commit_callbacks: Any
) -> None:
    deputy, office = user("deputy"), user("office")
    with django_capture_on_commit_callbacks(execute=True):
        created = services.notify(
            recipients=[deputy, office.pk, deputy],
            kind="reminder",
            title="明天上午九点视察",
            body="请到县政府门口集合",
            url="/workbench/",
        )
    assert [n.recipient_id for n in created] == [deputy.pk, office.pk]  # de-duplicated, in order
    assert all(n.in_app and n.read_at is None for n in created)
    sms = Delivery.objects.filter(notification__in=created, channel="sms").order_by("pk")
    assert [d.status for d in sms] == [DeliveryStatus.QUEUED, DeliveryStatus.QUEUED]
    # Reminders default to in-app + SMS, not e-mail.
    assert not Delivery.objects.filter(notification__in=created, channel="email").exists()
    assert sorted(enqueued_ids(dummy_tasks)) == sorted(d.pk for d in sms)


def test_delivery_destination_is_masked_never_plain(user: Any, dummy_tasks: Any) -> None:
    deputy = user("deputy")
    phone = deputy.person.phone
    assert len(phone) == 11
    [n] = services.notify(recipients=[deputy], kind="overdue", title="督办件即将逾期", body="")
    delivery = Delivery.objects.get(notification=n, channel="sms")
    assert delivery.destination == phone[:3] + "****" + phone[-4:]
    stored = Delivery.objects.filter(pk=delivery.pk).values_list("destination", "params")[0]
    assert phone not in str(stored)


def test_sms_skipped_when_no_phone(
    user: Any, dummy_tasks: Any, django_capture_on_commit_callbacks: Any
) -> None:
    citizen = user("citizen")
    citizen.person.phone = ""
    citizen.person.save()
    with django_capture_on_commit_callbacks(execute=True):
        [n] = services.notify(recipients=[citizen], kind="reminder", title="活动提醒", body="")
    delivery = Delivery.objects.get(notification=n, channel="sms")
    assert delivery.status == DeliveryStatus.SKIPPED
    assert delivery.last_error == "未登记手机号码"
    assert enqueued_ids(dummy_tasks) == []  # nothing to send, nothing enqueued


def test_preferences_respected(user: Any, dummy_tasks: Any) -> None:
    deputy = user("deputy")
    services.set_preference(user=deputy, kind="reminder", in_app=True, email=True, sms=False)
    [n] = services.notify(recipients=[deputy], kind="reminder", title="提醒", body="")
    channels = dict(Delivery.objects.filter(notification=n).values_list("channel", "status"))
    # E-mail wanted but the account has no address: recorded as skipped, SMS not created.
    assert channels == {"email": DeliveryStatus.SKIPPED}

    services.set_preference(user=deputy, kind="reminder", in_app=False, email=False, sms=False)
    assert services.notify(recipients=[deputy], kind="reminder", title="提醒", body="") == []

    services.set_preference(user=deputy, kind="reminder", in_app=False, email=False, sms=True)
    [hidden] = services.notify(recipients=[deputy], kind="reminder", title="只发短信", body="")
    assert hidden.in_app is False
    assert hidden not in selectors.inbox(deputy)
    assert Delivery.objects.get(notification=hidden).channel == "sms"


def test_mandatory_kind_always_reaches_inbox(user: Any, dummy_tasks: Any) -> None:
    deputy = user("deputy")
    with pytest.raises(InvalidInput) as exc:
        services.set_preference(user=deputy, kind="security", in_app=False, email=False, sms=False)
    assert "不能关闭" in exc.value.field_errors["in_app"][0]
    assert not Preference.objects.filter(user=deputy).exists()


def test_set_preference_is_audited(user: Any) -> None:
    deputy = user("deputy")
    services.set_preference(user=deputy, kind="system", in_app=True, email=True, sms=False)
    event = AuditEvent.objects.filter(actor=deputy, object_type="notifications.preference").get()
    assert event.before == {"email": False}
    assert event.after == {"email": True}
    # Saving the same choice again changes nothing and logs nothing.
    services.set_preference(user=deputy, kind="system", in_app=True, email=True, sms=False)
    assert AuditEvent.objects.filter(object_type="notifications.preference").count() == 1


def test_bad_input_writes_nothing(user: Any, dummy_tasks: Any) -> None:
    deputy = user("deputy")
    before = Notification.objects.count()
    with pytest.raises(InvalidInput) as exc:
        services.notify(recipients=[deputy], kind="reminder", title="  ", body="x")
    assert exc.value.field_errors["title"] == ["请填写消息标题。"]
    with pytest.raises(InvalidInput):
        services.notify(recipients=[deputy], kind="no_such_kind", title="t", body="")
    with pytest.raises(InvalidInput):
        services.notify(recipients=[deputy], kind="system", title="长" * 201, body="")
    assert Notification.objects.count() == before


def test_inactive_users_receive_nothing(user: Any, dummy_tasks: Any) -> None:
    citizen = user("citizen")
    citizen.is_active = False
    citizen.save()
    assert services.notify(recipients=[citizen], kind="system", title="t", body="") == []


def test_rollback_enqueues_nothing(
    user: Any, dummy_tasks: Any, django_capture_on_commit_callbacks: Any
) -> None:
    deputy = user("deputy")

    def failing_change() -> None:
        with transaction.atomic():
            services.notify(recipients=[deputy], kind="overdue", title="逾期", body="")
            raise RuntimeError("the surrounding change failed")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        failing_change()
    assert callbacks == []
    assert enqueued_ids(dummy_tasks) == []
    assert not Notification.objects.filter(recipient=deputy).exists()
    assert not Delivery.objects.filter(notification__recipient=deputy).exists()

    # The same call that commits does enqueue, so the test above can fail.
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[deputy], kind="overdue", title="逾期", body="")
    assert len(enqueued_ids(dummy_tasks)) == 1


def test_unread_count_mark_read_and_mark_all(user: Any, dummy_tasks: Any) -> None:
    deputy, office = user("deputy"), user("office")
    notes = [
        services.notify(recipients=[deputy], kind="system", title=f"消息{i}", body="")[0]
        for i in range(3)
    ]
    services.notify(recipients=[office], kind="system", title="别人的", body="")
    assert selectors.unread_count(deputy) == 3

    services.mark_read(user=deputy, notification_id=notes[0].pk)
    services.mark_read(user=deputy, notification_id=notes[0].pk)  # idempotent
    assert selectors.unread_count(deputy) == 2
    with pytest.raises(NotFound):
        services.mark_read(user=office, notification_id=notes[1].pk)

    assert services.mark_all_read(user=deputy) == 2
    assert selectors.unread_count(deputy) == 0
    assert selectors.unread_count(office) == 1


def test_unread_count_is_capped(user: Any, dummy_tasks: Any) -> None:
    deputy = user("deputy")
    Notification.objects.bulk_create(
        Notification(recipient=deputy, kind="system", title=str(i)) for i in range(105)
    )
    assert selectors.unread_count(deputy) == selectors.UNREAD_CAP


def test_requeue_stalled(
    user: Any, dummy_tasks: Any, django_capture_on_commit_callbacks: Any
) -> None:
    import datetime

    from django.utils import timezone

    deputy = user("deputy")
    [n] = services.notify(recipients=[deputy], kind="overdue", title="逾期", body="")
    delivery = Delivery.objects.get(notification=n)
    old = timezone.now() - datetime.timedelta(hours=1)
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENDING, updated_at=old)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.requeue_stalled() == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.QUEUED
    assert enqueued_ids(dummy_tasks) == [delivery.pk]
    # A fresh row is left alone.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.requeue_stalled() == 0


def test_notify_many_recipients_in_batches(
    dummy_tasks: Any, django_assert_max_num_queries: Any
) -> None:
    from renda.core.models import User

    User.objects.bulk_create(User(username=f"bulk{i:04d}") for i in range(600))
    ids = list(User.objects.filter(is_active=True).order_by("-pk").values_list("pk", flat=True))
    assert len(ids) > services.BATCH
    with django_assert_max_num_queries(40):  # not one query per recipient
        created = services.notify(recipients=ids, kind="reminder", title="全体代表会议", body="")
    assert [n.recipient_id for n in created] == ids
    assert Delivery.objects.filter(notification__in=created).count() == len(ids)


def test_requeue_command(
    user: Any, dummy_tasks: Any, django_capture_on_commit_callbacks: Any
) -> None:
    import io

    from django.core.management import call_command

    [n] = services.notify(recipients=[user("deputy")], kind="overdue", title="逾期", body="")
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("notifications_requeue", minutes=0, stdout=out)
    assert out.getvalue().strip() == "requeued 1 deliveries"
    assert enqueued_ids(dummy_tasks) == [Delivery.objects.get(notification=n).pk]
