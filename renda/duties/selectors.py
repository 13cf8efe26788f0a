"""Reads of duty activities and duty records, always through the duties policies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from renda.core.policies import Action
from renda.deputies.models import Mandate, MandateStatus
from renda.duties import services
from renda.duties.models import (
    Activity,
    AttendanceStatus,
    DutyRecord,
    DutyRecordEvent,
    Invitation,
    RecordStatus,
)
from renda.duties.policies import activities as activity_policy
from renda.duties.policies import records as record_policy


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


def can_review(user: Any, item: DutyRecord) -> bool:
    return item.status == RecordStatus.SUBMITTED and record_policy.can(user, item, Action.CHANGE)


def can_resubmit(user: Any, item: DutyRecord) -> bool:
    return (
        item.status == RecordStatus.RETURNED
        and services.mandates_for_entry(user).filter(pk=item.mandate_id).exists()
    )


def own_mandates(user: Any) -> list[Mandate]:
    """The user's serving mandates, the lowest level first: a county-and-city deputy's
    everyday work is local."""
    found = list(
        Mandate.objects.filter(
            person__user__id=user.pk, status=MandateStatus.SERVING
        ).select_related("term__congress", "region")
    )
    return sorted(found, key=lambda m: (-m.region.depth, m.pk))


def entry_mandates(
    user: Any, q: str = "", limit: int = 300, pk: int | None = None
) -> list[Mandate]:
    """Deputies the user may enter records for, by name (or one of them by id)."""
    qs = services.mandates_for_entry(user).select_related("person", "term__congress")
    if pk is not None:
        qs = qs.filter(pk=pk)
    q = q.strip()
    if q:
        qs = qs.filter(Q(person__name__contains=q) | Q(person__name_initials__startswith=q.lower()))
    return list(qs.order_by("person__name_initials", "person__name", "id")[:limit])


# Activities ---------------------------------------------------------------------------------


def activities(user: Any, *, upcoming_only: bool = False) -> QuerySet[Activity]:
    qs = activity_policy.filter(user, Activity.objects.all())
    if upcoming_only:
        from django.utils import timezone

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


def can_organize(user: Any) -> bool:
    return services.organizers_for(user).exists()


def can_enter_records(user: Any) -> bool:
    return services.mandates_for_entry(user).exists()


def my_invitations(user: Any, limit: int = 5) -> list[Invitation]:
    """The deputy's invitations to activities still ahead, soonest first."""
    from django.utils import timezone

    return list(
        Invitation.objects.filter(
            mandate__person__user__id=user.pk,
            activity__status="planned",
            activity__ends_at__gte=timezone.now(),
        )
        .select_related("activity__organizer")
        .order_by("activity__starts_at")[:limit]
    )
