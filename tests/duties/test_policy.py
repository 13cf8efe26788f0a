"""Permission matrix for duty records and activities: role x action x inside/outside."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from renda.core.models import Organization, OrganizationKind, User
from renda.core.policies import Action
from renda.deputies.models import Mandate
from renda.duties.models import (
    Activity,
    ActivityKind,
    DutyRecord,
    Invitation,
    RecordSource,
)
from renda.duties.policies import activities, records

pytestmark = pytest.mark.django_db

USERS = [
    "admin",
    "office",
    "county_office",
    "township_office",
    "leader",
    "deputy",
    "station",
    "unit",
    "citizen",
]
COUNTY, OTHER_COUNTY = "430421000000", "430405000000"


def _record(mandate: Mandate, station: Organization | None) -> DutyRecord:
    return DutyRecord.objects.create(
        mandate=mandate,
        region_id=mandate.region_id,
        station=station,
        kind=ActivityKind.SURVEY,
        title="调研",
        content="内容",
        occurred_on=datetime.date(2026, 3, 1),
        source=RecordSource.SELF,
    )


def _record_targets() -> dict[str, DutyRecord]:
    station = User.objects.get(username="station").grants.get().organization
    assert station is not None
    own = Mandate.objects.get(person__user__username="deputy", region_id=COUNTY)
    township = Mandate.objects.filter(region_id=station.region_id).order_by("id").first()
    county = Mandate.objects.filter(region_id=COUNTY).exclude(pk=own.pk).order_by("id").first()
    other = Mandate.objects.filter(region_id=OTHER_COUNTY).order_by("id").first()
    assert township
    assert county
    assert other
    return {
        "own": _record(own, station),
        "station": _record(township, station),
        "county": _record(county, None),
        "other_county": _record(other, None),
    }


RECORDS: dict[str, dict[str, tuple[bool, bool, bool, bool]]] = {
    Action.VIEW: {
        "admin": (True, True, True, True),
        "office": (True, True, True, True),
        "county_office": (True, True, True, False),
        "township_office": (False, True, False, False),
        "leader": (True, True, True, True),
        "deputy": (True, False, False, False),
        "station": (True, True, False, False),
        "unit": (False, False, False, False),
        "citizen": (False, False, False, False),
    },
    Action.CHANGE: {
        "admin": (True, True, True, True),
        "office": (True, True, True, True),
        "county_office": (True, True, True, False),
        "township_office": (False, True, False, False),
        "leader": (False, False, False, False),
        "deputy": (False, False, False, False),
        "station": (True, True, False, False),
        "unit": (False, False, False, False),
        "citizen": (False, False, False, False),
    },
    Action.EXPORT: {
        "admin": (True, True, True, True),
        "office": (True, True, True, True),
        "county_office": (True, True, True, False),
        "township_office": (False, True, False, False),
        "leader": (False, False, False, False),
        "deputy": (False, False, False, False),
        "station": (False, False, False, False),
        "unit": (False, False, False, False),
        "citizen": (False, False, False, False),
    },
}


@pytest.mark.parametrize("action", list(RECORDS))
@pytest.mark.parametrize("username", USERS)
def test_duty_record_matrix(username: str, action: str) -> None:
    targets = _record_targets()
    user = User.objects.get(username=username)
    got = tuple(
        records.can(user, targets[k], action) for k in ("own", "station", "county", "other_county")
    )
    assert got == RECORDS[action][username]
    # The queryset filter agrees with the object check.
    visible = set(
        records.filter(user, DutyRecord.objects.all(), action).values_list("pk", flat=True)
    )
    assert (
        tuple(targets[k].pk in visible for k in ("own", "station", "county", "other_county")) == got
    )


def _activity(organizer: Organization, invite: Mandate | None = None) -> Activity:
    start = timezone.now()
    activity = Activity.objects.create(
        region_id=organizer.region_id,
        organizer=organizer,
        kind=ActivityKind.MEETING,
        title="会议",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        created_by=User.objects.get(username="admin"),
    )
    if invite is not None:
        Invitation.objects.create(activity=activity, mandate=invite)
    return activity


def _activity_targets() -> dict[str, Activity]:
    station = User.objects.get(username="station").grants.get().organization
    assert station is not None
    own = Mandate.objects.get(person__user__username="deputy", region_id=COUNTY)
    office = Organization.objects.get(region_id=COUNTY, kind=OrganizationKind.CONGRESS_OFFICE)
    other = Organization.objects.get(region_id=OTHER_COUNTY, kind=OrganizationKind.CONGRESS_OFFICE)
    return {
        "station": _activity(station, invite=own),
        "county": _activity(office),
        "other_county": _activity(other),
    }


ACTIVITIES: dict[str, dict[str, tuple[bool, bool, bool]]] = {
    Action.VIEW: {
        "admin": (True, True, True),
        "office": (True, True, True),
        "county_office": (True, True, False),
        "township_office": (True, False, False),
        "leader": (True, True, True),
        "deputy": (True, False, False),  # only the one they are invited to
        "station": (True, False, False),
        "unit": (False, False, False),
        "citizen": (False, False, False),
    },
    Action.CHANGE: {
        "admin": (True, True, True),
        "office": (True, True, True),
        "county_office": (True, True, False),
        "township_office": (True, False, False),
        "leader": (False, False, False),
        "deputy": (False, False, False),
        "station": (True, False, False),
        "unit": (False, False, False),
        "citizen": (False, False, False),
    },
}


@pytest.mark.parametrize("action", list(ACTIVITIES))
@pytest.mark.parametrize("username", USERS)
def test_activity_matrix(username: str, action: str) -> None:
    targets = _activity_targets()
    user = User.objects.get(username=username)
    got = tuple(
        activities.can(user, targets[k], action) for k in ("station", "county", "other_county")
    )
    assert got == ACTIVITIES[action][username]
    visible = list(
        activities.filter(user, Activity.objects.all(), action).values_list("pk", flat=True)
    )
    assert len(visible) == len(set(visible)), "a deputy's semi-join must not duplicate rows"
