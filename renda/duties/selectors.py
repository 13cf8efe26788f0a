"""Reads of duty activities and duty records, always through the duties policies."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from renda.core.errors import NotFound
from renda.core.models import CONGRESS_BODY_KINDS, Organization, OrganizationKind
from renda.core.policies import Action
from renda.deputies import selectors as deputy_selectors
from renda.deputies.models import Mandate, MandateStatus
from renda.duties.models import (
    Activity,
    ActivityStatus,
    AttendanceStatus,
    DutyRecord,
    DutyRecordEvent,
    Invitation,
    RecordStatus,
)
from renda.duties.policies import activities as activity_policy
from renda.duties.policies import records as record_policy
from renda.duties.workflows import ACTIVITY, RECORD

# How many deputies the on-behalf picker lists before the search narrows them.
ENTRY_LIST = 300


# Who may act for whom ------------------------------------------------------------------------


def organizers_for(user: Any) -> QuerySet[Organization]:
    """The organizations ``user`` may organize activities for: congress bodies and liaison
    stations inside an office's region, a station administrator's own station."""
    condition = activity_policy.q_for(user, Action.CREATE, region="region_id", organization="pk")
    if condition is None:
        return Organization.objects.none()
    return Organization.objects.filter(
        condition,
        kind__in=[*CONGRESS_BODY_KINDS, OrganizationKind.LIAISON_STATION],
        is_active=True,
    )


def mandates_for_entry(user: Any) -> QuerySet[Mandate]:
    """The serving mandates ``user`` may enter duty records for: their own; the deputies
    linked to their station (代录); every deputy of the congresses in an office's region."""
    return deputy_selectors.mandates_for_entry(user, policy=record_policy)


# Sign-in and reminders -----------------------------------------------------------------------


def _checkin_early() -> datetime.timedelta:
    """How long before the start the venue's QR code already signs deputies in."""
    return datetime.timedelta(minutes=int(settings.DUTY_CHECKIN_EARLY_MINUTES))


def checkin_window(activity: Activity) -> tuple[datetime.datetime, datetime.datetime]:
    return activity.starts_at - _checkin_early(), activity.ends_at


def activity_by_token(token: str) -> Activity:
    """The activity whose venue QR code carries ``token`` (NotFound otherwise)."""
    activity = Activity.objects.select_related("organizer").filter(checkin_token=token).first()
    if activity is None:
        raise NotFound(_("签到码无效。请重新扫描活动现场的二维码。"))
    return activity


def reminder_hours() -> int:
    return int(settings.DUTY_REMINDER_HOURS)


# Duty records --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordFilters:
    status: str | None = None
    kind: str | None = None
    q: str = ""
    mandate: int | None = None


def records(user: Any, filters: RecordFilters = RecordFilters()) -> QuerySet[DutyRecord]:
    qs = record_policy.filter(user, DutyRecord.objects.all())
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.mandate:
        qs = qs.filter(mandate_id=filters.mandate)
    q = filters.q.strip()
    if q:
        qs = qs.filter(
            Q(mandate__person__name__contains=q)
            | Q(mandate__person__name_initials__startswith=q.lower())
            | Q(title__contains=q)
        )
    return qs.select_related("mandate__person", "mandate__term__congress", "station").order_by(
        "-occurred_on", "-id"
    )


def to_review(user: Any) -> QuerySet[DutyRecord]:
    """Reports waiting for this user's confirmation, oldest first."""
    qs = record_policy.filter(
        user, DutyRecord.objects.filter(status=RecordStatus.SUBMITTED), Action.CHANGE
    )
    return qs.select_related("mandate__person", "station").order_by("created_at", "id")


def record(user: Any, pk: int) -> DutyRecord:
    found = (
        record_policy.filter(user, DutyRecord.objects.filter(pk=pk))
        .select_related(
            "mandate__person",
            "mandate__term__congress",
            "station",
            "activity",
            "entered_by__person",
            "reviewed_by__person",
        )
        .first()
    )
    if found is None:
        record_policy.get(user, pk=pk)  # raises NotFound
    assert found is not None
    return found


def record_events(item: DutyRecord) -> list[DutyRecordEvent]:
    return list(item.events.select_related("actor__person").order_by("at", "id"))


def record_actions(user: Any, item: DutyRecord) -> set[str]:
    """The record's steps the user may take now (confirm, return, resubmit)."""
    return RECORD.available_actions(user, item)


def own_mandates(user: Any) -> list[Mandate]:
    """The user's serving mandates, the lowest level first: a county-and-city deputy's
    everyday work is local."""
    found = list(
        Mandate.objects.filter(
            person__user__id=user.pk, status=MandateStatus.SERVING
        ).select_related("term__congress", "region")
    )
    return sorted(found, key=lambda m: (-m.region.depth, m.pk))


def entry_mandates(user: Any, q: str = "", chosen: Any = "") -> list[Mandate]:
    """Deputies the user may enter records for (代录), by name, with the chosen one."""
    return deputy_selectors.entry_mandates(
        user, policy=record_policy, q=q, chosen=chosen, limit=ENTRY_LIST
    )


def entry_mandate(user: Any, pk: int) -> Mandate | None:
    """One deputy the user may enter a record for (their own mandate, or a 代录)."""
    return deputy_selectors.entry_mandate(user, policy=record_policy, pk=pk)


# Activities ---------------------------------------------------------------------------------


def activities(user: Any, *, upcoming_only: bool = False) -> QuerySet[Activity]:
    qs = activity_policy.filter(user, Activity.objects.all())
    if upcoming_only:
        qs = qs.filter(ends_at__gte=timezone.now())
    return (
        qs.select_related("organizer")
        .annotate(
            invited=Count("invitations"),
            attended=Count("invitations", filter=Q(invitations__status=AttendanceStatus.ATTENDED)),
        )
        .order_by("-starts_at", "-id")
    )


def activity(user: Any, pk: int) -> Activity:
    found = (
        activity_policy.filter(user, Activity.objects.filter(pk=pk))
        .select_related("organizer", "created_by__person")
        .first()
    )
    if found is None:
        activity_policy.get(user, pk=pk)
    assert found is not None
    return found


def invitations(item: Activity) -> list[Invitation]:
    return list(
        item.invitations.select_related("mandate__person", "mandate__term__congress").order_by(
            "mandate__person__name_initials", "mandate__person__name", "id"
        )
    )


def own_invitation(user: Any, item: Activity) -> Invitation | None:
    return (
        item.invitations.filter(mandate__person__user__id=user.pk)
        .select_related("mandate")
        .order_by("id")
        .first()
    )


def attendance_counts(item: Activity) -> dict[str, int]:
    counts = dict(
        item.invitations.order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return {status: counts.get(status, 0) for status in AttendanceStatus.values}


def can_manage(user: Any, item: Activity) -> bool:
    return activity_policy.can(user, item, Action.CHANGE)


def activity_actions(user: Any, item: Activity) -> set[str]:
    """The activity's steps the user may take now (close, cancel)."""
    return ACTIVITY.available_actions(user, item)


def can_organize(user: Any) -> bool:
    return organizers_for(user).exists()


def can_enter_records(user: Any) -> bool:
    return mandates_for_entry(user).exists()


def my_invitations(user: Any, limit: int = 5) -> list[Invitation]:
    """The deputy's invitations to activities still ahead, soonest first."""
    return list(
        Invitation.objects.filter(
            mandate__person__user__id=user.pk,
            activity__status=ActivityStatus.PLANNED,
            activity__ends_at__gte=timezone.now(),
        )
        .select_related("activity__organizer")
        .order_by("activity__starts_at")[:limit]
    )
