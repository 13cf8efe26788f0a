"""Every step of an activity and of a duty record is on its timeline, with the step's action
and the name of who took it (kept when the account is removed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from renda.core.models import User
from renda.deputies.models import Mandate
from renda.duties import selectors, services
from renda.duties.models import Activity, ActivityStatus, DutyRecord, RecordStatus
from tests.duties.conftest import record_input

pytestmark = pytest.mark.django_db


def _steps(item: Activity | DutyRecord) -> list[tuple[str, str, str]]:
    return [(e.action, e.from_status, e.to_status) for e in item.events.order_by("at", "id")]


def test_activity_timeline_and_offered_steps(
    make_activity: Callable[..., Activity], django_capture_on_commit_callbacks: Any
) -> None:
    station = User.objects.get(username="station")
    activity = make_activity()
    assert _steps(activity) == [("publish", "", ActivityStatus.PLANNED)]
    assert selectors.activity_actions(station, activity) == {"close", "cancel"}
    assert selectors.activity_actions(User.objects.get(username="deputy"), activity) == set()
    with django_capture_on_commit_callbacks(execute=True):
        services.close_activity(actor=station, activity=activity)
    activity.refresh_from_db()
    assert _steps(activity)[-1] == ("close", ActivityStatus.PLANNED, ActivityStatus.CLOSED)
    assert selectors.activity_actions(station, activity) == set()
    # The attendee's record starts confirmed, its first entry written at the close.
    attended = DutyRecord.objects.filter(activity=activity)
    for record in attended:
        assert _steps(record) == [("attend", "", RecordStatus.CONFIRMED)]


def test_cancelling_is_on_the_timeline_with_its_reason(
    make_activity: Callable[..., Activity],
) -> None:
    activity = make_activity()
    services.cancel_activity(
        actor=User.objects.get(username="station"), activity=activity, reason="台风停课"
    )
    last = activity.events.order_by("at", "id").last()
    assert last is not None
    assert (last.action, last.to_status, last.comment) == ("cancel", "cancelled", "台风停课")


def test_record_timeline_keeps_the_names_of_who_acted(county_mandate: Mandate) -> None:
    deputy = User.objects.get(username="deputy")
    station = User.objects.get(username="station")
    record = services.report(actor=station, mandate=county_mandate, data=record_input())
    assert selectors.record_actions(station, record) == {"confirm", "return"}
    assert selectors.record_actions(deputy, record) == set()
    services.review(actor=station, record=record, decision="return", comment="请补充地点")
    record.refresh_from_db()
    assert selectors.record_actions(deputy, record) == {"resubmit"}
    services.resubmit(actor=deputy, record=record, data=record_input(title="接待选民(补充)"))
    services.review(actor=station, record=record, decision="confirm")
    assert _steps(record) == [
        ("submit", "", RecordStatus.SUBMITTED),
        ("return", RecordStatus.SUBMITTED, RecordStatus.RETURNED),
        ("resubmit", RecordStatus.RETURNED, RecordStatus.SUBMITTED),
        ("confirm", RecordStatus.SUBMITTED, RecordStatus.CONFIRMED),
    ]
    names = [e.actor_name for e in record.events.order_by("at", "id")]
    by_station, by_deputy = station.display_name, deputy.display_name
    assert names == [by_station, by_station, by_deputy, by_station]
    # The proxy entry says so on its first entry.
    first = record.events.order_by("at", "id").first()
    assert first is not None
    assert "代为录入" in first.comment


def test_module_records_start_confirmed_on_the_timeline(county_mandate: Mandate) -> None:
    record = services.record_from_module(
        mandate=county_mandate,
        kind="suggestion",
        title="关于村道硬化的建议",
        occurred_on=county_mandate.elected_on,
        source_type="suggestions.suggestion",
        source_id="1",
    )
    assert _steps(record) == [("record", "", RecordStatus.CONFIRMED)]
