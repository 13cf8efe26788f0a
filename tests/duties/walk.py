"""The duty workflows for the walk test (tests/core/test_workflow_walk.py): an activity of the
demo station, moved by its administrator; the demo deputy's invitation to a planned activity
of the station, recorded by the station (also marked absent, as the close does) and answered
by the deputy; a record of the demo deputy, confirmed or returned by the station and
resubmitted by the deputy."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from renda.core.models import User
from renda.core.workflow import Step
from renda.deputies.models import Mandate
from renda.duties.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    DutyRecord,
    Invitation,
    RecordSource,
    RecordStatus,
)
from renda.duties.policies import RESPOND
from tests.conftest import COUNTY


def _station() -> User:
    return User.objects.get(username="station")


def _deputy_mandate() -> Mandate:
    return Mandate.objects.get(person__user__username="deputy", region_id=COUNTY)


def walk_activity(step: Step, source: str, target: str) -> tuple[Activity, User]:
    station = _station()
    organizer = station.grants.get().organization
    assert organizer is not None
    start = timezone.now() - datetime.timedelta(hours=1)
    activity = Activity.objects.create(
        region_id=organizer.region_id,
        organizer=organizer,
        kind=ActivityKind.RECEPTION,
        title="代表进站接待选民日",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
        status=source,
        created_by=station,
    )
    return activity, station


def walk_invitation(step: Step, source: str, target: str) -> tuple[Invitation, User]:
    activity, station = walk_activity(step, ActivityStatus.PLANNED, ActivityStatus.CLOSED)
    # A sign-in time on every row: the walk moves the status alone, and an attended
    # invitation must have one (the check-in step saves it alongside).
    invitation = Invitation.objects.create(
        activity=activity,
        mandate=_deputy_mandate(),
        status=source,
        checked_in_at=timezone.now(),
        updated_by=station,
    )
    # The deputy answers their own invitation; the organizer records it.
    actor = User.objects.get(username="deputy") if step.permission == RESPOND else station
    return invitation, actor


def walk_record(step: Step, source: str, target: str) -> tuple[DutyRecord, User]:
    station = _station()
    mandate = _deputy_mandate()
    record = DutyRecord.objects.create(
        mandate=mandate,
        region_id=mandate.region_id,
        station=station.grants.get().organization,
        kind=ActivityKind.RECEPTION,
        title="接待选民",
        content="在联络站接待选民 6 人。",
        occurred_on=timezone.localdate() - datetime.timedelta(days=1),
        source=RecordSource.SELF,
        status=source,
    )
    # The deputy corrects and resubmits their own record; the station reviews it.
    actor = User.objects.get(username="deputy") if source == RecordStatus.RETURNED else station
    return record, actor


WALKERS: dict[str, Callable[[Step, str, str], tuple[Any, Any]]] = {
    "duties.activity": walk_activity,
    "duties.invitation": walk_invitation,
    "duties.record": walk_record,
}
