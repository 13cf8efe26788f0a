"""Writes for notifications: sending (inbox rows + deliveries), reading, preferences."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from renda.core import audit
from renda.core.crypto import mask_email, mask_phone
from renda.core.errors import InvalidInput, NotFound
from renda.core.logging import get_logger
from renda.core.models import AuditAction, User
from renda.core.tasks import enqueue_on_commit
from renda.core.validators import validate_mobile
from renda.notifications import kinds, selectors
from renda.notifications.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Notification,
    Preference,
)

log = get_logger(__name__)

TITLE_MAX = 200
URL_MAX = 500
BATCH = 500


def _validate(*, title: str, url: str, sms_params: Mapping[str, Any] | None) -> dict[str, str]:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("请填写消息标题。")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("消息标题不能超过 %(n)s 个字。") % {"n": TITLE_MAX}]
    if len(url) > URL_MAX:
        errors["url"] = [_("链接不能超过 %(n)s 个字符。") % {"n": URL_MAX}]
    params: dict[str, str] = {}
    for key, value in (sms_params or {}).items():
        if not isinstance(key, str) or not isinstance(value, str | int | float):
            errors["sms_params"] = [_("短信模板参数只能是文字或数字。")]
            break
        params[key] = str(value)
    if errors:
        raise InvalidInput(field_errors=errors)
    return params


def _sms_destination(user: User) -> tuple[str, str]:
    """(masked phone, reason it cannot be used)."""
    phone = user.person.phone if user.person_id and user.person else ""
    if not phone:
        return "", _("未登记手机号码")
    try:
        validate_mobile(phone)
    except ValidationError:
        return mask_phone(phone), _("登记的号码不是手机号码")
    return mask_phone(phone), ""


@transaction.atomic
def notify(
    *,
    recipients: Iterable[User | int],
    kind: str,
    title: str,
    body: str,
    url: str = "",
    sms_params: Mapping[str, Any] | None = None,
) -> list[Notification]:
    """Put a message in each recipient's inbox and queue its e-mail/SMS per their preferences.

    Deliveries are enqueued only after the surrounding transaction commits, so a rolled-back
    change never sends anything. Inactive accounts receive nothing.
    """
    spec = kinds.get(kind)
    params = _validate(title=title, url=url, sms_params=sms_params)
    title = title.strip()
    ids = list(dict.fromkeys(r if isinstance(r, int) else r.pk for r in recipients))
    users: list[User] = []
    # In chunks: SQLite limits the number of parameters in one query.
    for start in range(0, len(ids), BATCH):
        users.extend(
            get_user_model()
            .objects.filter(pk__in=ids[start : start + BATCH], is_active=True)
            .select_related("person")
        )
    channels = selectors.channels_for([u.pk for u in users], spec)
    now = timezone.now()

    position = {pk: i for i, pk in enumerate(ids)}
    planned: list[tuple[User, selectors.Channels, Notification]] = []
    for user in sorted(users, key=lambda u: position[u.pk]):
        chosen = channels[user.pk]
        if not (chosen.in_app or chosen.email or chosen.sms):
            continue
        planned.append(
            (
                user,
                chosen,
                Notification(
                    recipient=user,
                    kind=spec.code,
                    title=title,
                    body=body,
                    url=url,
                    in_app=chosen.in_app,
                    created_at=now,
                ),
            )
        )
    notifications = Notification.objects.bulk_create([n for _u, _c, n in planned], batch_size=BATCH)

    deliveries: list[Delivery] = []
    for user, chosen, notification in planned:
        if chosen.email:
            email = (user.email or "").strip()
            deliveries.append(
                Delivery(
                    notification=notification,
                    channel=Channel.EMAIL,
                    destination=mask_email(email),
                    status=DeliveryStatus.QUEUED if email else DeliveryStatus.SKIPPED,
                    last_error="" if email else _("未登记电子邮箱"),
                    created_at=now,
                )
            )
        if chosen.sms:
            masked, problem = _sms_destination(user)
            deliveries.append(
                Delivery(
                    notification=notification,
                    channel=Channel.SMS,
                    destination=masked,
                    status=DeliveryStatus.SKIPPED if problem else DeliveryStatus.QUEUED,
                    last_error=problem,
                    params=params or {"title": title},
                    created_at=now,
                )
            )
    Delivery.objects.bulk_create(deliveries, batch_size=BATCH)

    from renda.notifications.tasks import deliver

    for delivery in deliveries:
        if delivery.status == DeliveryStatus.QUEUED:
            enqueue_on_commit(deliver, delivery.pk)
        else:
            log.info(
                "notification.delivery",
                delivery_id=delivery.pk,
                notification_id=delivery.notification_id,
                kind=spec.code,
                channel=delivery.channel,
                destination=delivery.destination,
                status=delivery.status,
                attempts=0,
                error=delivery.last_error,
            )
    log.info(
        "notification.created",
        kind=spec.code,
        recipients=len(notifications),
        deliveries=sum(d.status == DeliveryStatus.QUEUED for d in deliveries),
    )
    return notifications


@transaction.atomic
def mark_read(*, user: Any, notification_id: int) -> Notification:
    # Reading one's own inbox changes nothing anyone else sees, so it leaves no audit event.
    notification = (
        Notification.objects.select_for_update()
        .filter(pk=notification_id, recipient_id=user.pk, in_app=True)
        .first()
    )
    if notification is None:
        raise NotFound()
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def mark_all_read(*, user: Any) -> int:
    return Notification.objects.filter(
        recipient_id=user.pk, read_at__isnull=True, in_app=True
    ).update(read_at=timezone.now())


@transaction.atomic
def set_preference(*, user: User, kind: str, in_app: bool, email: bool, sms: bool) -> Preference:
    spec = kinds.get(kind)
    if spec.mandatory and not in_app:
        raise InvalidInput(
            field_errors={
                "in_app": [_("“%(kind)s”类消息必须在站内接收,不能关闭。") % {"kind": spec.label}]
            }
        )
    pref = Preference.objects.select_for_update().filter(user=user, kind=spec.code).first()
    if pref is None:
        base = selectors.defaults(spec)
        before = {"in_app": base.in_app, "email": base.email, "sms": base.sms}
        pref = Preference(user=user, kind=spec.code)
    else:
        before = {"in_app": pref.in_app, "email": pref.email, "sms": pref.sms}
    after = {"in_app": in_app, "email": email, "sms": sms}
    pref.in_app, pref.email, pref.sms = in_app, email, sms
    pref.save()
    changed_before, changed_after = audit.diff(before, after)
    if changed_after:
        audit.record(
            actor=user,
            action=AuditAction.UPDATE,
            obj=pref,
            before=changed_before,
            after=changed_after,
            message=_("修改消息订阅:%(kind)s") % {"kind": spec.label},
            region_code=user.person.region_id if user.person_id and user.person else "",
        )
    return pref


# A delivery that is still "queued" this long after it was written or last tried, with no
# task in the queue for it, had its enqueue lost (the queue was unreachable at commit time).
REQUEUE_AFTER = datetime.timedelta(seconds=30)


def requeue_stalled(*, older_than: datetime.timedelta = REQUEUE_AFTER) -> int:
    """Enqueue again deliveries that no task is going to pick up.

    That happens when the queue was unreachable at commit time (enqueueing after commit is
    best-effort) or a worker died mid-send. Deliveries the queue still holds a task for are
    left alone, so a long but healthy queue is not doubled. Running ``deliver`` twice is
    harmless anyway: it claims the row first, so an extra task finds it taken or finished and
    does nothing. A row a dead worker left "sending" is sent again with the same reference,
    which the gateway protocol lets the gateway drop if the first one went out (sms.py).
    """
    from renda.core.tasks import pending_args
    from renda.notifications.tasks import deliver, sending_lease

    now = timezone.now()
    cutoff = now - older_than
    lost = Q(status=DeliveryStatus.QUEUED, updated_at__lt=cutoff) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lt=cutoff)
    ) | Q(status=DeliveryStatus.SENDING, updated_at__lt=now - sending_lease())
    candidates = list(Delivery.objects.filter(lost).values_list("pk", "status"))
    if not candidates:
        return 0
    waiting = pending_args(deliver)
    ids = [pk for pk, status in candidates if status == DeliveryStatus.SENDING or pk not in waiting]
    with transaction.atomic():
        # A worker that died mid-send left the row claimed; hand it back to the queue.
        Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.QUEUED, updated_at=timezone.now()
        )
        for pk in ids:
            enqueue_on_commit(deliver, pk)
    log.info("notification.requeued", count=len(ids), still_queued=len(candidates) - len(ids))
    return len(ids)
