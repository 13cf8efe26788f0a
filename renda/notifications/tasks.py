"""Background delivery of notifications by e-mail and SMS (Django Tasks API).

``deliver`` is idempotent: it first claims the delivery row (queued -> sending) in a short
locked transaction, sends outside any transaction (so a slow gateway never holds a database
lock), then records the outcome. A second run for the same id finds the row taken or finished
and does nothing, so nothing is ever sent twice by us.
"""

from __future__ import annotations

import datetime
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from renda.core import tasks as tasks_kit
from renda.core.crypto import mask_email, mask_phone
from renda.core.logging import get_logger
from renda.core.tasks import enqueue_on_commit
from renda.notifications import sms
from renda.notifications.models import Channel, Delivery, DeliveryStatus

log = get_logger(__name__)

MAX_BACKOFF_SECONDS = 3600


class SendError(Exception):
    def __init__(self, message: str, *, permanent: bool = False, skip: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
        # The destination disappeared since queueing: nothing to send to, not a failure.
        self.skip = skip


def backoff(attempts: int) -> datetime.timedelta:
    """Delay before the next try: base, 2x base, 4x base ... capped at an hour."""
    base = float(getattr(settings, "NOTIFICATION_RETRY_BASE_SECONDS", 30))
    return datetime.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS))


def _log(delivery: Delivery, event: str = "notification.delivery", **extra: Any) -> None:
    log.info(
        event,
        delivery_id=delivery.pk,
        notification_id=delivery.notification_id,
        channel=delivery.channel,
        destination=delivery.destination,
        status=str(delivery.status),
        attempts=delivery.attempts,
        error=delivery.last_error,
        provider_message_id=delivery.provider_message_id,
        **extra,
    )


def sending_lease() -> datetime.timedelta:
    """How long a send may take: a row "sending" for longer lost its worker mid-send."""
    return datetime.timedelta(
        seconds=max(float(settings.TASK_LEASE_SECONDS), 3 * float(settings.SMS_TIMEOUT))
    )


def _claim(delivery_id: int) -> Delivery | str:
    with transaction.atomic():
        delivery = (
            # Lock only the delivery row: the person is on the nullable side of the join.
            Delivery.objects.select_for_update(of=("self",))
            .select_related("notification__recipient__person")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            log.warning("notification.delivery.missing", delivery_id=delivery_id)
            return "missing"
        if delivery.status == DeliveryStatus.SENDING and delivery.updated_at < (
            timezone.now() - sending_lease()
        ):
            # The worker that claimed it died mid-send (this is the task handed back after
            # its lease expired): send again under the same reference, which the gateway
            # protocol lets the gateway drop if the first one went out (sms.py).
            _log(delivery, "notification.delivery.reclaimed")
        elif delivery.status != DeliveryStatus.QUEUED:
            # Already sent, finished, or another worker is sending it right now.
            _log(delivery, "notification.delivery.duplicate")
            return str(delivery.status)
        delivery.status = DeliveryStatus.SENDING
        delivery.attempts += 1
        delivery.next_attempt_at = None
        delivery.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
    return delivery


def _absolute(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return str(settings.SITE_URL).rstrip("/") + "/" + url.lstrip("/")


def _send_email(delivery: Delivery) -> tuple[str, str]:
    notification = delivery.notification
    user = notification.recipient
    address = (user.email or "").strip()
    if not user.is_active or not address:
        raise SendError(_("未登记电子邮箱"), skip=True)
    domain = str(settings.DEFAULT_FROM_EMAIL).rpartition("@")[2] or "localhost"
    message_id = make_msgid(idstring=f"renda-delivery-{delivery.pk}", domain=domain)
    text = notification.body
    link = _absolute(notification.url)
    if link:
        text = f"{text}\n\n{link}" if text else link
    message = EmailMessage(
        subject=f"【{settings.SMS_SIGN_NAME}】{notification.title}",
        body=text,
        to=[address],
        headers={"Message-ID": message_id},
    )
    try:
        message.send(fail_silently=False)
    except OSError as exc:  # smtplib errors are OSErrors
        raise SendError(f"{type(exc).__name__}: {exc}") from exc
    return message_id, mask_email(address)


def _send_sms(delivery: Delivery) -> tuple[str, str]:
    notification = delivery.notification
    user = notification.recipient
    phone = user.person.phone if user.person_id and user.person else ""
    if not user.is_active or not phone:
        raise SendError(_("未登记手机号码"), skip=True)
    message = sms.SmsMessage(
        phone=phone,
        kind=notification.kind,
        template_id=sms.template_id(notification.kind),
        params=dict(delivery.params or {"title": notification.title}),
        text=f"【{settings.SMS_SIGN_NAME}】{notification.title}",
        reference=f"renda-delivery-{delivery.pk}",
    )
    try:
        message_id = sms.get_backend().send(message)
    except sms.SmsError as exc:
        raise SendError(str(exc), permanent=exc.permanent) from exc
    return message_id, mask_phone(phone)


_SENDERS = {Channel.EMAIL: _send_email, Channel.SMS: _send_sms}


def _retry_task(when: datetime.datetime) -> Any:
    # Backends without deferred tasks (the inline "immediate" one used in tests) retry at once.
    if deliver.get_backend().supports_defer:
        return deliver.using(run_after=when)
    return deliver


@task()
def deliver(delivery_id: int) -> str:
    """Send one delivery; on failure retry with exponential back-off, then give up."""
    claimed = _claim(delivery_id)
    if isinstance(claimed, str):
        return claimed
    delivery = claimed
    sender = _SENDERS.get(Channel(delivery.channel)) if delivery.channel in Channel.values else None
    kind = delivery.notification.kind
    error: SendError | None = None
    message_id = destination = ""
    try:
        if sender is None:
            raise SendError(f"unknown channel {delivery.channel!r}", permanent=True)
        message_id, destination = sender(delivery)
    except SendError as exc:
        error = exc
    except Exception as exc:
        # Whatever a backend raises must not leave the row stuck in "sending".
        error = SendError(f"{type(exc).__name__}: {exc}")
        log.exception("notification.delivery.crash", delivery_id=delivery.pk)

    max_attempts = int(settings.NOTIFICATION_MAX_ATTEMPTS)
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
        now = timezone.now()
        if error is None:
            delivery.status = DeliveryStatus.SENT
            delivery.sent_at = now
            delivery.provider_message_id = message_id[:128]
            delivery.last_error = ""
            delivery.destination = destination or delivery.destination
        elif error.skip:
            delivery.status = DeliveryStatus.SKIPPED
            delivery.last_error = str(error)
        elif error.permanent or delivery.attempts >= max_attempts:
            delivery.status = DeliveryStatus.FAILED
            delivery.last_error = str(error)[:2000]
        else:
            delivery.status = DeliveryStatus.QUEUED
            delivery.last_error = str(error)[:2000]
            delivery.next_attempt_at = now + backoff(delivery.attempts)
            enqueue_on_commit(_retry_task(delivery.next_attempt_at), delivery.pk)
        delivery.save()
    _log(delivery, kind=kind)
    return str(delivery.status)


def _requeue_lost() -> int:
    from renda.notifications.services import requeue_stalled

    return requeue_stalled()


# Every recovery pass (the worker's, every TASK_RECOVER_SECONDS, and the scheduler's) also
# re-enqueues deliveries whose enqueue was lost.
tasks_kit.on_recover("notifications.requeue", _requeue_lost)
