"""Permission matrix of the ledger policies: role x action x inside/outside jurisdiction.
The four policies (records, invitations, points, deputies) share one rule table."""

from __future__ import annotations

import pytest

from renda.core.models import User
from renda.core.policies import Action
from renda.deputies.models import Mandate
from renda.duties.models import DutyRecord, Invitation
from renda.ledgers import policies
from renda.points.models import PointEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("duty_data")]

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

# (a record of a county congress deputy of 衡阳县, a record of the township congress of the
# station's township, a record in the sibling county 珠晖区) per user and action.
EXPECT: dict[str, dict[str, tuple[bool, bool, bool]]] = {
    Action.VIEW: {
        "admin": (True, True, True),
        "office": (True, True, True),
        "county_office": (True, True, False),
        "township_office": (False, True, False),
        "leader": (True, True, True),
        "deputy": (False, False, False),
        "station": (False, False, False),
        "unit": (False, False, False),
        "citizen": (False, False, False),
    },
    Action.EXPORT: {
        "admin": (True, True, True),
        "office": (True, True, True),
        "county_office": (True, True, False),
        "township_office": (False, True, False),
        "leader": (False, False, False),
        "deputy": (False, False, False),
        "station": (False, False, False),
        "unit": (False, False, False),
        "citizen": (False, False, False),
    },
}


def _targets() -> tuple[DutyRecord, DutyRecord, DutyRecord]:
    township = User.objects.get(username="station").grants.get().region_id
    records = DutyRecord.objects.order_by("pk")
    county = records.filter(region_id="430421000000").first()
    own_township = records.filter(region_id=township).first()
    other = records.filter(region__code__startswith="430405").first()
    assert county is not None
    assert own_township is not None
    assert other is not None
    return county, own_township, other


@pytest.mark.parametrize("action", list(EXPECT))
@pytest.mark.parametrize("username", USERS)
def test_ledger_matrix(username: str, action: str) -> None:
    user = User.objects.get(username=username)
    targets = _targets()
    got = tuple(policies.records.can(user, record, action) for record in targets)
    assert got == EXPECT[action][username]
    # The same answer through each table's own path to the jurisdiction.
    for record, allowed in zip(targets, got, strict=True):
        mandate = Mandate.objects.get(pk=record.mandate_id)
        assert policies.mandates.can(user, mandate, action) == allowed
        invitation = Invitation.objects.filter(mandate_id=record.mandate_id).first()
        if invitation is not None:
            assert policies.invitations.can(user, invitation, action) == allowed
        entry = PointEntry.objects.filter(mandate_id=record.mandate_id).first()
        if entry is not None:
            assert policies.points.can(user, entry, action) == allowed


def test_policies_share_one_rule_table() -> None:
    for policy in (policies.records, policies.invitations, policies.points, policies.mandates):
        assert policy.rules is policies.RULES
