"""The mandate's timeline: its election first, then the change that ended it, each with the
step, its date, reason and who recorded it; the page offers the change only while serving."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from renda.core.models import User
from renda.deputies import services
from renda.deputies.models import Mandate, MandateStatus
from renda.deputies.workflows import MANDATE
from tests.conftest import COUNTY

pytestmark = pytest.mark.django_db


def test_creation_and_end_are_on_the_timeline() -> None:
    office = User.objects.get(username="county_office")
    existing = Mandate.objects.filter(region_id=COUNTY).order_by("id").first()
    assert existing is not None
    term = existing.term
    person = User.objects.get(username="citizen").person
    assert person is not None
    mandate = services.create_mandate(
        actor=office, person=person, term=term, elected_on=term.start_date
    )
    assert [(e.action, e.from_status, e.to_status) for e in mandate.events.all()] == [
        ("elect", "", MandateStatus.SERVING)
    ]
    assert MANDATE.available_actions(office, mandate) == {
        "resign",
        "recall",
        "terminate",
        "decease",
    }
    assert MANDATE.available_actions(User.objects.get(username="leader"), mandate) == set()
    services.change_status(
        actor=office,
        mandate=mandate,
        to_status=MandateStatus.RECALLED,
        effective_on=term.start_date + datetime.timedelta(days=30),
        reason="依法罢免",
    )
    last = mandate.events.order_by("at", "id").last()
    assert last is not None
    assert (last.action, last.reason, last.comment, last.actor_name) == (
        "recall",
        "依法罢免",
        "依法罢免",
        office.display_name,
    )
    mandate.refresh_from_db()
    assert MANDATE.available_actions(office, mandate) == set()


def test_the_page_offers_the_change_only_while_serving(login: Any) -> None:
    mandate = Mandate.objects.filter(region_id=COUNTY, status=MandateStatus.SERVING).first()
    assert mandate is not None
    client = login("county_office")
    assert "登记资格变动" in client.get(f"/deputies/{mandate.pk}/").content.decode()
    services.change_status(
        actor=User.objects.get(username="county_office"),
        mandate=mandate,
        to_status=MandateStatus.RESIGNED,
        effective_on=mandate.elected_on,
        reason="辞职",
    )
    assert "登记资格变动" not in client.get(f"/deputies/{mandate.pk}/").content.decode()
