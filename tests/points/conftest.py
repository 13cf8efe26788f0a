"""Fixtures for the points tests: duty records, absences and disputes made directly with
the models (the duties services are written elsewhere), tasks run inline."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import NoReverseMatch, reverse

from renda.core.models import Organization, OrganizationKind, User
from renda.deputies.models import Mandate
from renda.duties.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    AttendanceStatus,
    DutyRecord,
    Invitation,
    RecordSource,
    RecordStatus,
)
from renda.points import services
from renda.points.models import (
    Dispute,
    Evaluation,
    PointEntry,
    PointRuleSet,
    PointTotal,
)
from renda.points.scoring import SHANGHAI
from tests.api.conftest import anon, bearer  # noqa: F401 - the API tests' fixtures
from tests.conftest import COUNTY

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
YEAR = 2025


@pytest.fixture(autouse=True)
def _tasks_and_urls(settings: Any, tmp_path: Any) -> None:
    settings.TASKS = IMMEDIATE
    settings.MEDIA_ROOT = tmp_path / "media"
    try:
        reverse("duties:record", args=[1])
        reverse("duties:activity", args=[1])
    except NoReverseMatch:
        settings.ROOT_URLCONF = "tests.points.urls"


@pytest.fixture(autouse=True)
def _clean_slate(db: Any) -> None:
    """The points tests count exactly what they create: any duty data a seed may have put in
    the shared world is removed inside the test's transaction (and comes back after it)."""
    if not (
        DutyRecord.objects.exists() or Invitation.objects.exists() or PointRuleSet.objects.exists()
    ):
        return
    for model in (
        PointEntry,
        PointTotal,
        Dispute,
        Evaluation,
        PointRuleSet,
        DutyRecord,
        Invitation,
        Activity,
    ):
        model.objects.all().delete()


def own_mandate() -> Mandate:
    """The demo deputy's county mandate (衡阳县, linked to the station's township)."""
    return Mandate.objects.select_related("term__congress").get(
        person__user__username="deputy", region_id=COUNTY
    )


def other_mandate(code: str = COUNTY) -> Mandate:
    mandate = (
        Mandate.objects.filter(region_id=code)
        .exclude(person__user__username="deputy")
        .select_related("term__congress")
        .order_by("id")
        .first()
    )
    assert mandate is not None
    return mandate


def record(
    mandate: Mandate,
    kind: str = ActivityKind.MEETING,
    on: datetime.date | None = None,
    *,
    status: str = RecordStatus.CONFIRMED,
    title: str = "",
    **extra: Any,
) -> DutyRecord:
    on = on or datetime.date(YEAR, 3, 1)
    return DutyRecord.objects.create(
        mandate=mandate,
        region_id=mandate.region_id,
        kind=kind,
        title=title or f"{ActivityKind(kind).label} {on:%m月%d日}",
        occurred_on=on,
        source=extra.pop("source", RecordSource.SELF),
        status=status,
        **extra,
    )


def absence(
    mandate: Mandate,
    starts_at: datetime.datetime | None = None,
    *,
    status: str = AttendanceStatus.ABSENT,
    activity_status: str = ActivityStatus.CLOSED,
) -> Invitation:
    starts_at = starts_at or datetime.datetime(YEAR, 5, 10, 9, 0, tzinfo=SHANGHAI)
    organizer = (
        Organization.objects.filter(
            region_id=mandate.region_id, kind=OrganizationKind.CONGRESS_OFFICE
        ).first()
        or Organization.objects.filter(kind=OrganizationKind.CONGRESS_OFFICE).first()
    )
    assert organizer is not None
    activity = Activity.objects.create(
        region_id=mandate.region_id,
        organizer=organizer,
        kind=ActivityKind.INSPECTION,
        title=f"视察活动 {starts_at:%m月%d日}",
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=3),
        status=activity_status,
        created_by=User.objects.get(username="county_office"),
    )
    checked_in_at = starts_at if status == AttendanceStatus.ATTENDED else None
    return Invitation.objects.create(
        activity=activity, mandate=mandate, status=status, checked_in_at=checked_in_at
    )


def entries(mandate: Mandate, year: int = YEAR) -> list[PointEntry]:
    return list(
        PointEntry.objects.filter(
            mandate=mandate, rule_set__year=year, rule_set__is_current=True
        ).order_by("occurred_on", "id")
    )


@pytest.fixture
def scored() -> Callable[..., list[PointEntry]]:
    """Recompute these mandates' year and return the first one's entries."""

    def run(*mandates: Mandate, year: int = YEAR) -> list[PointEntry]:
        services.recompute_mandates(mandate_ids=[m.pk for m in mandates], year=year)
        return entries(mandates[0], year)

    return run
