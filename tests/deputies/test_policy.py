"""Permission matrix for deputies' mandates, and the mandate status workflow."""

from __future__ import annotations

import datetime

import pytest

from renda.core.errors import IllegalTransition, InvalidInput, NotFound, NotPermitted
from renda.core.models import AuditAction, AuditEvent, Region, User
from renda.core.policies import Action
from renda.deputies import services
from renda.deputies.models import Mandate, MandateEvent, MandateStatus
from renda.deputies.policies import mandates

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


def _mandate_in(code_prefix: str, *, exclude_user: str = "deputy") -> Mandate:
    mandate = (
        Mandate.objects.filter(region__code__startswith=code_prefix)
        .exclude(person__user__username=exclude_user)
        .order_by("id")
        .first()
    )
    assert mandate is not None
    return mandate


def _targets() -> dict[str, Mandate]:
    """Own, inside-county (a county congress mandate), township-level and other-county ones."""
    county = Region.objects.get(code="430421000000")
    station_township = User.objects.get(username="station").grants.get().region
    own = Mandate.objects.filter(person__user__username="deputy", region=county).get()
    township = Mandate.objects.filter(region=station_township).order_by("id").first()
    assert township is not None
    return {
        "own": own,
        "county": _mandate_in("430421000"),
        "township": township,
        "other_county": _mandate_in("430405"),
    }


# (own county mandate of the demo deputy, a county congress mandate, a mandate of the station's
# township congress, a mandate of another county) per user and action.
EXPECT: dict[str, dict[str, tuple[bool, bool, bool, bool]]] = {
    Action.VIEW: {
        "admin": (True, True, True, True),
        "office": (True, True, True, True),
        "county_office": (True, True, True, False),
        "township_office": (False, False, True, False),
        "leader": (True, True, True, True),
        "deputy": (True, False, False, False),
        "station": (False, False, True, False),
        "unit": (False, False, False, False),
        "citizen": (False, False, False, False),
    },
    Action.CHANGE: {
        "admin": (True, True, True, True),
        "office": (True, True, True, True),
        "county_office": (True, True, True, False),
        "township_office": (False, False, True, False),
        "leader": (False, False, False, False),
        "deputy": (False, False, False, False),
        "station": (False, False, False, False),
        "unit": (False, False, False, False),
        "citizen": (False, False, False, False),
    },
}


@pytest.mark.parametrize("action", list(EXPECT))
@pytest.mark.parametrize("username", USERS)
def test_mandate_matrix(username: str, action: str) -> None:
    targets = _targets()
    user = User.objects.get(username=username)
    got = tuple(
        mandates.can(user, targets[key], action)
        for key in ("own", "county", "township", "other_county")
    )
    assert got == EXPECT[action][username]
    listed = mandates.filter(user, Mandate.objects.all(), action)
    assert (
        tuple(
            listed.filter(pk=targets[key].pk).exists()
            for key in ("own", "county", "township", "other_county")
        )
        == EXPECT[action][username]
    )


def test_every_seeded_deputy_has_a_mandate_in_the_congress_of_their_grant() -> None:
    deputies = User.objects.filter(username__startswith="d0")
    assert deputies.exists()
    for user in deputies[:50]:
        grant = user.grants.get()
        assert Mandate.objects.filter(person__user=user, region_id=grant.region_id).exists()


def test_status_change_records_event_and_audit() -> None:
    office = User.objects.get(username="county_office")
    mandate = _mandate_in("430421000")
    services.change_status(
        actor=office,
        mandate=mandate,
        to_status=MandateStatus.RESIGNED,
        effective_on=datetime.date(2025, 3, 1),
        reason="因工作调动辞去代表职务",
    )
    mandate.refresh_from_db()
    assert mandate.status == MandateStatus.RESIGNED
    assert mandate.ended_on == datetime.date(2025, 3, 1)
    event = MandateEvent.objects.get(mandate=mandate)
    assert (event.from_status, event.to_status, event.actor) == ("serving", "resigned", office)
    assert AuditEvent.objects.filter(
        action=AuditAction.TRANSITION, object_type="deputies.mandate", object_id=str(mandate.pk)
    ).exists()
    # An ended mandate cannot serve again or end twice.
    with pytest.raises(IllegalTransition) as exc:
        services.change_status(
            actor=office,
            mandate=mandate,
            to_status=MandateStatus.DECEASED,
            effective_on=datetime.date(2025, 4, 1),
            reason="x",
        )
    assert "辞职" in exc.value.message


def test_status_change_needs_reason_and_jurisdiction() -> None:
    office = User.objects.get(username="county_office")
    mandate = _mandate_in("430421000")
    with pytest.raises(InvalidInput):
        services.change_status(
            actor=office,
            mandate=mandate,
            to_status=MandateStatus.RESIGNED,
            effective_on=datetime.date(2025, 3, 1),
            reason="  ",
        )
    other = _mandate_in("430405")
    with pytest.raises(NotFound):
        services.change_status(
            actor=office,
            mandate=other,
            to_status=MandateStatus.RESIGNED,
            effective_on=datetime.date(2025, 3, 1),
            reason="越权",
        )
    leader = User.objects.get(username="leader")
    with pytest.raises(NotPermitted):
        services.change_status(
            actor=leader,
            mandate=mandate,
            to_status=MandateStatus.RESIGNED,
            effective_on=datetime.date(2025, 3, 1),
            reason="无权",
        )
    mandate.refresh_from_db()
    assert mandate.status == MandateStatus.SERVING


def test_one_mandate_per_person_and_term() -> None:
    existing = _mandate_in("430421000")
    with pytest.raises(InvalidInput) as exc:
        services.create_mandate(
            actor=None,
            person=existing.person,
            term=existing.term,
            elected_on=existing.term.start_date,
        )
    assert "重复登记" in exc.value.field_errors["person"][0]
