"""Deliveries that cannot be silently dropped: a lost enqueue is re-enqueued within a minute
(not 15), a delivery still waiting in a healthy queue is left alone and never sent twice,
and a send abandoned by a dead worker goes out again under the same gateway reference."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from renda.core import tasks
from renda.notifications import services
from renda.notifications.models import Delivery, DeliveryStatus
from renda.notifications.tasks import deliver
from tests.notifications.conftest import DUMMY, FakeGateway

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def ago(seconds: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=seconds)


def queued_sms(user: Any, capture: Any) -> Delivery:
    with capture(execute=True):
        [n] = services.notify(recipients=[user], kind="reminder", title="明天视察", body="")
    return Delivery.objects.get(notification=n, channel="sms")


def deliver_tasks() -> list[int]:
    rows = DBTaskResult.objects.filter(task_path=deliver.module_path)
    return sorted(r["args"][0] for r in rows.values_list("args_kwargs", flat=True))


def run_queued_deliveries() -> None:
    for result in DBTaskResult.objects.filter(
        task_path=deliver.module_path, status=TaskResultStatus.READY
    ):
        deliver.call(*result.args_kwargs["args"])
        DBTaskResult.objects.filter(pk=result.pk).update(status=TaskResultStatus.SUCCESSFUL)


def test_a_lost_enqueue_is_requeued_within_a_minute(
    user: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # The issue: "notifications whose enqueue was lost wait 15-25 minutes".
    settings.TASKS = DUMMY  # the enqueue at commit time goes nowhere: it is lost
    delivery = queued_sms(user("deputy"), django_capture_on_commit_callbacks)
    settings.TASKS = DB_TASKS
    assert deliver_tasks() == []
    Delivery.objects.filter(pk=delivery.pk).update(updated_at=ago(40))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.requeue_stalled() == 1
    assert deliver_tasks() == [delivery.pk]
    # The recovery pass (the worker's, every 15 s, and the scheduler's) does it too.
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.recover().hooks["notifications.requeue"] == 1
    assert deliver_tasks() == [delivery.pk]


def test_a_fresh_delivery_is_left_alone(
    user: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TASKS = DUMMY
    queued_sms(user("deputy"), django_capture_on_commit_callbacks)
    settings.TASKS = DB_TASKS
    with django_capture_on_commit_callbacks(execute=True):
        assert services.requeue_stalled() == 0
    assert deliver_tasks() == []


def test_a_delivery_waiting_in_a_healthy_queue_is_not_requeued_nor_sent_twice(
    user: Any,
    settings: Any,
    http_sms: FakeGateway,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.TASKS = DB_TASKS
    delivery = queued_sms(user("deputy"), django_capture_on_commit_callbacks)
    assert deliver_tasks() == [delivery.pk]
    # A long queue: the delivery has waited 20 minutes behind others, its task still queued.
    Delivery.objects.filter(pk=delivery.pk).update(updated_at=ago(20 * 60))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.requeue_stalled() == 0
    assert deliver_tasks() == [delivery.pk]
    run_queued_deliveries()
    assert len(http_sms.requests) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)


def test_a_send_in_progress_is_not_taken_away(
    user: Any, settings: Any, http_sms: FakeGateway, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TASKS = DUMMY
    settings.TASK_LEASE_SECONDS = 60
    delivery = queued_sms(user("deputy"), django_capture_on_commit_callbacks)
    # Claimed 40 s ago by a worker that is still waiting for a slow gateway.
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, updated_at=ago(40)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.requeue_stalled() == 0
    assert deliver.call(delivery.pk) == DeliveryStatus.SENDING
    assert http_sms.requests == []


def test_a_send_abandoned_by_a_dead_worker_goes_out_again_under_the_same_reference(
    user: Any, settings: Any, http_sms: FakeGateway, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TASKS = DUMMY
    settings.TASK_LEASE_SECONDS = 60
    delivery = queued_sms(user("deputy"), django_capture_on_commit_callbacks)
    # The worker claimed it two minutes ago and was killed: the deliver task handed back by
    # the task lease finds the row "sending" for longer than any send takes.
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, attempts=1, updated_at=ago(120)
    )
    assert deliver.call(delivery.pk) == DeliveryStatus.SENT
    [body] = http_sms.bodies
    assert body["reference"] == f"renda-delivery-{delivery.pk}"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)


def test_requeue_hands_back_an_abandoned_send(
    user: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TASKS = DUMMY
    delivery = queued_sms(user("deputy"), django_capture_on_commit_callbacks)
    settings.TASKS = DB_TASKS
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, updated_at=ago(300)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.requeue_stalled() == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.QUEUED
    assert deliver_tasks() == [delivery.pk]


def test_requeue_command_default_is_seconds(
    user: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    import io

    from django.core.management import call_command

    settings.TASKS = DUMMY
    delivery = queued_sms(user("deputy"), django_capture_on_commit_callbacks)
    settings.TASKS = DB_TASKS
    Delivery.objects.filter(pk=delivery.pk).update(updated_at=ago(45))
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("notifications_requeue", stdout=out)
    assert out.getvalue().strip() == "requeued 1 deliveries"
