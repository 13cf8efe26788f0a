"""Permission matrix for cases: role x action x inside/outside jurisdiction.

Targets: a city case led by the demo unit (市住建局) and written by the demo deputy; a city
case led by another city unit with the demo unit as co-unit; a city case of another unit
only; a case of the 衡阳县 congress; a case of the sibling county 珠晖区."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from renda.cases.models import Case
from renda.cases.policies import CaseAction, cases
from renda.core.models import Congress, Organization, User

from .conftest import COUNTY, OTHER_COUNTY, city_unit, county_unit

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
TARGETS = ("lead", "co", "city", "county", "other_county")

Row = tuple[bool, bool, bool, bool, bool]
ALL: Row = (True, True, True, True, True)
NONE: Row = (False, False, False, False, False)
COUNTY_ONLY: Row = (False, False, False, True, False)

LEAD_ONLY: Row = (True, False, False, False, False)
LEAD_AND_CO: Row = (True, True, False, False, False)

MATRIX: dict[str, dict[str, Row]] = {
    CaseAction.VIEW: {
        "admin": ALL,
        "office": ALL,
        "county_office": COUNTY_ONLY,
        "township_office": NONE,
        "leader": ALL,
        "supervision": ALL,
        "deputy": LEAD_ONLY,
        "station": NONE,
        "unit": LEAD_AND_CO,
        "unit_leader": LEAD_AND_CO,
        "citizen": (False, False, True, False, False),
    },
    CaseAction.CHANGE: {
        **dict.fromkeys(USERS, NONE),
        "admin": ALL,
        "office": ALL,
        "county_office": COUNTY_ONLY,
    },
    CaseAction.EXPORT: {
        **dict.fromkeys(USERS, NONE),
        "admin": ALL,
        "office": ALL,
        "county_office": COUNTY_ONLY,
        "supervision": ALL,
    },
    CaseAction.HANDLE: {
        **dict.fromkeys(USERS, NONE),
        "unit": LEAD_ONLY,
        "unit_leader": LEAD_ONLY,
    },
    CaseAction.APPROVE: {
        **dict.fromkeys(USERS, NONE),
        "unit_leader": LEAD_ONLY,
    },
    CaseAction.CONTACT: {
        **dict.fromkeys(USERS, NONE),
        "unit": LEAD_AND_CO,
        "unit_leader": LEAD_AND_CO,
    },
    CaseAction.CO_OPINION: {
        **dict.fromkeys(USERS, NONE),
        "unit": (False, True, False, False, False),
        "unit_leader": (False, True, False, False, False),
    },
    CaseAction.RATE: {
        **dict.fromkeys(USERS, NONE),
        "deputy": (True, False, False, False, False),
        "citizen": (False, False, True, False, False),
    },
    CaseAction.SUPERVISE: {
        **dict.fromkeys(USERS, NONE),
        "admin": ALL,
        "office": ALL,
        "county_office": COUNTY_ONLY,
        "leader": ALL,
        "supervision": ALL,
    },
}


@pytest.fixture
def targets(
    make_case: Callable[..., Case], unit_org: Organization, other_unit: Organization
) -> dict[str, Case]:
    county = Congress.objects.get(region_id=COUNTY)
    other = Congress.objects.get(region_id=OTHER_COUNTY)
    return {
        "lead": make_case(lead=unit_org),
        "co": make_case(lead=other_unit, co=[unit_org], author=None),
        "city": make_case(lead=city_unit("财政局"), author="citizen"),
        "county": make_case(congress=county, lead=county_unit(COUNTY), author=None),
        "other_county": make_case(congress=other, lead=county_unit(OTHER_COUNTY), author=None),
    }


@pytest.mark.parametrize("action", list(MATRIX))
@pytest.mark.parametrize("username", USERS)
def test_case_matrix(username: str, action: str, targets: dict[str, Case]) -> None:
    user = User.objects.get(username=username)
    got = tuple(cases.can(user, targets[k], action) for k in TARGETS)
    assert got == MATRIX[action][username]
    visible = list(cases.filter(user, Case.objects.all(), action).values_list("pk", flat=True))
    assert len(visible) == len(set(visible)), "the unit semi-join must not duplicate rows"
    assert tuple(targets[k].pk in visible for k in TARGETS) == got


def test_assign_needs_an_office_over_the_congress(targets: dict[str, Case]) -> None:
    county = Congress.objects.get(region_id=COUNTY)
    city = Congress.objects.get(region_id="430400000000")
    allowed = {
        name: (
            cases.can_in_region(User.objects.get(username=name), CaseAction.ASSIGN, city.region_id),
            cases.can_in_region(
                User.objects.get(username=name), CaseAction.ASSIGN, county.region_id
            ),
        )
        for name in USERS
    }
    assert allowed == {
        **dict.fromkeys(USERS, (False, False)),
        "admin": (True, True),
        "office": (True, True),
        "county_office": (False, True),
    }


def test_a_unit_with_lead_and_co_on_one_case_sees_one_row(
    make_case: Callable[..., Case], unit_org: Organization, other_unit: Organization
) -> None:
    # Two grants of one account on two units that are both on the case: still one row.
    from .conftest import unit_user

    user = unit_user(other_unit, "edu_staff")
    from renda.core import services as core_services
    from renda.core.models import Role

    core_services.grant_role(
        actor=None, user=user, role=Role.UNIT, region=unit_org.region, organization=unit_org
    )
    case = make_case(lead=unit_org, co=[other_unit])
    visible = list(
        cases.filter(User.objects.get(pk=user.pk), Case.objects.all()).values_list("pk", flat=True)
    )
    assert visible.count(case.pk) == 1
