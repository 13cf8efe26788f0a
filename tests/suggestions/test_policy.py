"""Permission matrix for suggestions: role x action x target (own, co-signed, entered by the
station, elsewhere in the county, in another county). Units get nothing here: they see an
assigned suggestion through its case."""

from __future__ import annotations

import pytest

from renda.core.models import User
from renda.core.policies import Action
from renda.deputies.models import Mandate
from renda.suggestions.models import CoSigner, Suggestion, SuggestionStatus
from renda.suggestions.policies import REVIEW, suggestions
from tests.suggestions.conftest import COUNTY, OTHER_COUNTY, peers

pytestmark = pytest.mark.django_db

USERS = [
    "admin",
    "office",
    "county_office",
    "township_office",
    "leader",
    "supervision",
    "deputy",
    "station",
    "unit",
    "unit_leader",
    "citizen",
]
TARGETS = ["own", "cosigned", "proxy", "county", "other_county", "county_draft"]


def _make(
    mandate: Mandate, status: str = SuggestionStatus.SUBMITTED, **extra: object
) -> Suggestion:
    return Suggestion.objects.create(
        congress=mandate.term.congress,
        term=mandate.term,
        region_id=mandate.region_id,
        mandate=mandate,
        title="关于农村公路的建议",
        content="内容",
        status=status,
        **extra,
    )


def _targets() -> dict[str, Suggestion]:
    deputy = User.objects.get(username="deputy")
    station = User.objects.get(username="station")
    station_org = station.grants.get().organization
    own_mandate = Mandate.objects.get(person__user=deputy, region_id=COUNTY)
    county = peers(COUNTY, exclude=own_mandate)
    proxied = Mandate.objects.filter(stations=station_org).exclude(person__user=deputy).first()
    assert proxied is not None
    cosigned = _make(county[0], entered_by=county[0].person.user)
    CoSigner.objects.create(suggestion=cosigned, mandate=own_mandate)
    return {
        "own": _make(own_mandate, entered_by=deputy),
        "cosigned": cosigned,
        "proxy": _make(proxied, entered_by=station, station=station_org),
        "county": _make(county[1], entered_by=county[1].person.user),
        "other_county": _make(peers(OTHER_COUNTY)[0]),
        "county_draft": _make(county[2], status=SuggestionStatus.DRAFT),
    }


def _expected(targets: dict[str, Suggestion]) -> dict[str, dict[str, tuple[bool, ...]]]:
    township = User.objects.get(username="township_office").grants.get().region_id
    proxy_in_township = targets["proxy"].region_id[:9] == township[:9]
    superuser = User.objects.get(username="admin").is_superuser
    office_all = (True, True, True, True, True, False)
    county = (True, True, True, True, False, False)
    township_row = (False, False, proxy_in_township, False, False, False)
    none = (False,) * 6
    admin = (*office_all[:5], superuser)
    return {
        Action.VIEW: {
            "admin": admin,
            "office": office_all,
            "county_office": county,
            "township_office": township_row,
            "leader": office_all,
            "supervision": office_all,
            "deputy": (True, True, False, False, False, False),
            "station": (False, False, True, False, False, False),
            "unit": none,
            "unit_leader": none,
            "citizen": none,
        },
        Action.CHANGE: {
            "admin": (False,) * 5 + (superuser,),
            "office": none,
            "county_office": none,
            "township_office": none,
            "leader": none,
            "supervision": none,
            "deputy": (True, False, False, False, False, False),
            "station": (False, False, True, False, False, False),
            "unit": none,
            "unit_leader": none,
            "citizen": none,
        },
        REVIEW: {
            "admin": admin,
            "office": office_all,
            "county_office": county,
            "township_office": township_row,
            "leader": none,
            "supervision": none,
            "deputy": none,
            "station": none,
            "unit": none,
            "unit_leader": none,
            "citizen": none,
        },
        # The Excel export of the records: offices, and the government's supervision office.
        Action.EXPORT: {
            "admin": admin,
            "office": office_all,
            "county_office": county,
            "township_office": township_row,
            "leader": none,
            "supervision": office_all,
            "deputy": none,
            "station": none,
            "unit": none,
            "unit_leader": none,
            "citizen": none,
        },
    }


@pytest.mark.parametrize("action", [Action.VIEW, Action.CHANGE, REVIEW, Action.EXPORT])
@pytest.mark.parametrize("username", USERS)
def test_matrix(username: str, action: str) -> None:
    targets = _targets()
    expected = _expected(targets)[action][username]
    user = User.objects.get(username=username)
    got = tuple(suggestions.can(user, targets[name], action) for name in TARGETS)
    assert got == expected, f"{username} {action}: {dict(zip(TARGETS, got, strict=True))}"
    visible = set(
        suggestions.filter(user, Suggestion.objects.all(), action).values_list("pk", flat=True)
    )
    assert {n for n in TARGETS if targets[n].pk in visible} == {
        n for n, ok in zip(TARGETS, expected, strict=True) if ok
    }
