"""The deliver task against a real fake gateway on loopback, the file backend and e-mail."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from django_tasks import default_task_backend

from renda.notifications import services, sms
from renda.notifications.models import Delivery, DeliveryStatus
from renda.notifications.tasks import backoff, deliver
from tests.notifications.conftest import DUMMY, GATEWAY_KEY, FakeGateway

pytestmark = pytest.mark.django_db


def send_reminder(user: Any, capture: Any, **extra: Any) -> Delivery:
    with capture(execute=True):
        [n] = services.notify(
            recipients=[user],
            kind="reminder",
            title="明天上午九点视察",
            body="县政府门口集合",
            **extra,
        )
    return Delivery.objects.get(notification=n, channel="sms")


def test_http_gateway_delivery_and_signature(
    user: Any,
    immediate_tasks: None,
    http_sms: FakeGateway,
    django_capture_on_commit_callbacks: Any,
) -> None:
    deputy = user("deputy")
    delivery = send_reminder(
        deputy, django_capture_on_commit_callbacks, sms_params={"time": "9:00", "place": "县政府"}
    )
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.attempts == 1
    assert delivery.provider_message_id == "fake-1"
    assert delivery.sent_at is not None

    [request] = http_sms.requests
    assert request["path"] == "/sms/send"
    body = json.loads(request["body"])
    assert body == {
        "phone": deputy.person.phone,
        "sign_name": "衡阳人大",
        "template_id": "SMS_REMIND_1",
        "params": {"time": "9:00", "place": "县政府"},
        "reference": f"renda-delivery-{delivery.pk}",
    }
    headers = {k.lower(): v for k, v in request["headers"].items()}
    timestamp = headers["x-renda-timestamp"]
    expected = hmac.new(
        GATEWAY_KEY.encode(), timestamp.encode() + b"." + request["body"], hashlib.sha256
    ).hexdigest()
    assert headers["x-renda-signature"] == expected
    assert sms.sign(GATEWAY_KEY, timestamp, request["body"]) == expected
    # Tampering with the body breaks the signature.
    assert sms.sign(GATEWAY_KEY, timestamp, request["body"] + b" ") != expected


def test_default_template_and_params(
    user: Any,
    immediate_tasks: None,
    http_sms: FakeGateway,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[user("deputy")], kind="overdue", title="督办件将逾期", body="")
    [body] = http_sms.bodies
    assert body["template_id"] == "SMS_GENERIC"
    assert body["params"] == {"title": "督办件将逾期"}


def test_retry_after_gateway_error_once(
    user: Any,
    immediate_tasks: None,
    http_sms: FakeGateway,
    django_capture_on_commit_callbacks: Any,
) -> None:
    http_sms.script = [(500, {"code": "ERROR", "message": "busy"})]
    delivery = send_reminder(user("deputy"), django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.attempts == 2
    assert delivery.last_error == ""
    assert len(http_sms.requests) == 2
    # The same reference both times, so the gateway could drop a duplicate.
    assert http_sms.bodies[0]["reference"] == http_sms.bodies[1]["reference"]


def test_refused_code_is_a_failure_and_retry_is_deferred_with_backoff(
    user: Any,
    settings: Any,
    http_sms: FakeGateway,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.TASKS = DUMMY  # keeps enqueued tasks so the retry's schedule can be inspected
    http_sms.script = [(200, {"code": "isv.BUSINESS_LIMIT_CONTROL", "message": "限流"})]
    delivery = send_reminder(user("deputy"), django_capture_on_commit_callbacks)
    [first] = default_task_backend.results  # type: ignore[attr-defined]
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver.call(*first.args) == DeliveryStatus.QUEUED
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    assert "BUSINESS_LIMIT_CONTROL" in delivery.last_error
    retry = default_task_backend.results[-1]  # type: ignore[attr-defined]
    assert retry.args == [delivery.pk]
    assert retry.task.run_after == delivery.next_attempt_at
    # First retry waits the base delay (30 s by default) from the failed attempt.
    waited = delivery.next_attempt_at - delivery.updated_at
    assert backoff(1) - datetime.timedelta(seconds=1) < waited <= backoff(1)


def test_backoff_grows_exponentially(settings: Any) -> None:
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 30
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(20).total_seconds() == 3600


def test_failed_after_max_attempts(
    user: Any,
    immediate_tasks: None,
    http_sms: FakeGateway,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    http_sms.script = [(503, {"code": "ERROR"})] * 10
    delivery = send_reminder(user("deputy"), django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 3
    assert "503" in delivery.last_error
    assert len(http_sms.requests) == 3


def test_client_error_fails_without_retry(
    user: Any,
    immediate_tasks: None,
    http_sms: FakeGateway,
    django_capture_on_commit_callbacks: Any,
) -> None:
    http_sms.script = [(400, {"code": "InvalidPhone"})]
    delivery = send_reminder(user("deputy"), django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 1
    assert len(http_sms.requests) == 1


def test_unreachable_gateway_is_retried(
    user: Any,
    immediate_tasks: None,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.SMS_BACKEND = "http"
    settings.SMS_GATEWAY_KEY = GATEWAY_KEY
    settings.SMS_TEMPLATE_IDS = {"default": "T1"}
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:1/sms/send"  # nothing listens on port 1
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    delivery = send_reminder(user("deputy"), django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 2
    assert "unreachable" in delivery.last_error


def test_no_double_send(
    user: Any,
    settings: Any,
    http_sms: FakeGateway,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.TASKS = DUMMY
    delivery = send_reminder(user("deputy"), django_capture_on_commit_callbacks)
    assert deliver.call(delivery.pk) == DeliveryStatus.SENT
    assert deliver.call(delivery.pk) == DeliveryStatus.SENT
    # Enqueued twice as well (e.g. by requeue_stalled racing the first task).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    deliver.enqueue(delivery.pk)
    deliver.enqueue(delivery.pk)
    assert len(http_sms.requests) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 1


def test_claimed_row_is_not_sent_again(
    user: Any,
    settings: Any,
    http_sms: FakeGateway,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.TASKS = DUMMY
    delivery = send_reminder(user("deputy"), django_capture_on_commit_callbacks)
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENDING)
    assert deliver.call(delivery.pk) == DeliveryStatus.SENDING
    assert deliver.call(987654321) == "missing"
    assert http_sms.requests == []


def test_file_backend_writes_json_lines(
    user: Any,
    immediate_tasks: None,
    settings: Any,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    path = tmp_path / "out" / "sms.jsonl"
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = str(path)
    settings.SMS_TEMPLATE_IDS = {}
    deputy, station = user("deputy"), user("station")
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[deputy, station], kind="overdue", title="督办", body="")
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert sorted(line["phone"] for line in lines) == sorted(
        [deputy.person.phone, station.person.phone]
    )
    assert {line["text"] for line in lines} == {"【智慧人大】督办"}
    ids = {line["message_id"] for line in lines}
    assert (
        set(
            Delivery.objects.filter(channel="sms", status="sent").values_list(
                "provider_message_id", flat=True
            )
        )
        == ids
    )


def test_console_backend_logs_masked(
    user: Any,
    immediate_tasks: None,
    settings: Any,
    caplog: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.SMS_BACKEND = "console"
    deputy = user("deputy")
    caplog.set_level(logging.INFO)
    delivery = send_reminder(deputy, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.provider_message_id.startswith("console-")
    text = caplog.text
    assert "sms.console" in text
    assert "notification.delivery" in text
    assert deputy.person.phone not in text
    assert delivery.destination in text


def test_email_via_locmem_outbox(
    user: Any,
    immediate_tasks: None,
    mailoutbox: list[Any],
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.SITE_URL = "https://renda.example.cn"
    deputy = user("deputy")
    deputy.email = "deputy@example.cn"
    deputy.save()
    services.set_preference(user=deputy, kind="system", in_app=True, email=True, sms=False)
    with django_capture_on_commit_callbacks(execute=True):
        [n] = services.notify(
            recipients=[deputy],
            kind="system",
            title="平台升级通知",
            body="今晚 22 点维护。",
            url="/notifications/",
        )
    [mail] = mailoutbox
    assert mail.to == ["deputy@example.cn"]
    assert mail.subject == "【智慧人大】平台升级通知"
    assert "今晚 22 点维护。" in mail.body
    assert "https://renda.example.cn/notifications/" in mail.body
    delivery = Delivery.objects.get(notification=n)
    assert delivery.channel == "email"
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.destination == "d***@example.cn"
    assert delivery.provider_message_id == mail.extra_headers["Message-ID"]


def test_email_address_removed_before_sending_is_skipped(
    user: Any,
    settings: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.TASKS = DUMMY
    deputy = user("deputy")
    deputy.email = "deputy@example.cn"
    deputy.save()
    services.set_preference(user=deputy, kind="system", in_app=True, email=True, sms=False)
    [n] = services.notify(recipients=[deputy], kind="system", title="t", body="")
    deputy.email = ""
    deputy.save()
    delivery = Delivery.objects.get(notification=n)
    assert deliver.call(delivery.pk) == DeliveryStatus.SKIPPED
    assert mailoutbox == []
