"""Reads for notifications. A user only ever sees their own messages and settings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from renda.notifications import kinds
from renda.notifications.models import Delivery, Notification, Preference

# The bell shows "99+" beyond this, so counting never needs to go further.
UNREAD_CAP = 100


@dataclass(frozen=True)
class Channels:
    in_app: bool
    email: bool
    sms: bool


def defaults(kind: kinds.Kind) -> Channels:
    return Channels(in_app=kind.in_app, email=kind.email, sms=kind.sms)


def channels_for(user_ids: Iterable[int], kind: kinds.Kind) -> dict[int, Channels]:
    """Each user's effective channels for the kind: their saved choice or the kind's default."""
    ids = list(user_ids)
    base = defaults(kind)
    result = dict.fromkeys(ids, base)
    for start in range(0, len(ids), 500):  # SQLite limits the parameters of one query
        for pref in Preference.objects.filter(user_id__in=ids[start : start + 500], kind=kind.code):
            result[pref.user_id] = Channels(
                in_app=pref.in_app or kind.mandatory, email=pref.email, sms=pref.sms
            )
    return result


@dataclass(frozen=True)
class PreferenceRow:
    kind: kinds.Kind
    channels: Channels
    customised: bool


def preferences(user: Any) -> list[PreferenceRow]:
    saved = {p.kind: p for p in Preference.objects.filter(user=user)}
    rows = []
    for kind in kinds.all_kinds():
        pref = saved.get(kind.code)
        if pref is None:
            rows.append(PreferenceRow(kind=kind, channels=defaults(kind), customised=False))
        else:
            rows.append(
                PreferenceRow(
                    kind=kind,
                    channels=Channels(
                        in_app=pref.in_app or kind.mandatory, email=pref.email, sms=pref.sms
                    ),
                    customised=True,
                )
            )
    return rows


def inbox(user: Any, *, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient_id=user.pk, in_app=True)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def unread_count(user: Any, *, cap: int = UNREAD_CAP) -> int:
    """Unread inbox messages, counted up to ``cap`` through the partial unread index."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return (
        Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True, in_app=True)
        .values("pk")[:cap]
        .count()
    )


def deliveries(*, notification: Notification) -> QuerySet[Delivery]:
    return Delivery.objects.filter(notification=notification).order_by("channel")
