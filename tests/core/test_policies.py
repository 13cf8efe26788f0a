"""Permission matrix: every role x action x (inside, outside) its jurisdiction, for each core
policy. The expected table is written out in full so a changed rule shows up as a diff here."""

from __future__ import annotations

from typing import Any

import pytest

from renda.core import policies, services
from renda.core.models import Organization, OrganizationKind, Person, Region, RegionLevel, User
from renda.core.policies import Action

pytestmark = pytest.mark.django_db

ROLES_TO_USERS = {
    "admin": "admin",
    "office": "office",
    "county_office": "county_office",
    "township_office": "township_office",
    "leader": "leader",
    "deputy": "deputy",
    "station": "station",
    "unit": "unit",
    "citizen": "citizen",
}


@pytest.fixture
def elsewhere(db: Any) -> dict[str, Any]:
    """A second city (株洲市) outside every demo account's jurisdiction."""
    province = Region.objects.get(code="430000000000")
    city = services.create_region(
        actor=None, code="430200000000", name="株洲市", level=RegionLevel.CITY, parent=province
    )
    county = services.create_region(
        actor=None, code="430221000000", name="株洲县", level=RegionLevel.COUNTY, parent=city
    )
    unit = services.create_organization(
        actor=None, name="株洲县教育局", kind=OrganizationKind.GOVERNMENT_DEPARTMENT, region=county
    )
    person = services.create_person(actor=None, region=county, name="外地人", phone="13900000001")
    return {"region": county, "org": unit, "person": person}


def _inside_org(username: str) -> Organization:
    """An organization inside the user's jurisdiction (their own one for org-scoped roles)."""
    user = User.objects.get(username=username)
    grant = user.grants.order_by("id").first()
    assert grant is not None
    if grant.organization_id:
        return grant.organization  # type: ignore[return-value]
    region = Region.objects.get(code=grant.region_id)
    return (
        Organization.objects.filter(
            region_id__gte=region.bounds[0], region_id__lte=region.bounds[1]
        )
        .order_by("id")
        .first()
    )  # type: ignore[return-value]


def _sibling_org(username: str, elsewhere: dict[str, Any]) -> Organization:
    """For org-scoped roles: another organization in the same region; otherwise one elsewhere."""
    user = User.objects.get(username=username)
    grant = user.grants.order_by("id").first()
    assert grant is not None
    if grant.organization_id:
        return (
            Organization.objects.filter(region_id=grant.organization.region_id)
            .exclude(  # type: ignore[union-attr]
                pk=grant.organization_id
            )
            .first()
        )  # type: ignore[return-value]
    return elsewhere["org"]  # type: ignore[no-any-return]


# (inside, outside) per action, for the organization policy.
ORG_EXPECT: dict[str, dict[str, tuple[bool, bool]]] = {
    Action.VIEW: {
        "admin": (True, False),
        "office": (True, False),
        "county_office": (True, False),
        "township_office": (True, False),
        "leader": (True, False),
        "deputy": (True, False),
        "station": (True, False),
        "unit": (True, False),
        "citizen": (False, False),
    },
    Action.CHANGE: {
        "admin": (True, False),
        "office": (True, False),
        "county_office": (True, False),
        "township_office": (True, False),
        "leader": (False, False),
        "deputy": (False, False),
        "station": (False, False),
        "unit": (False, False),
        "citizen": (False, False),
    },
    Action.DELETE: {
        "admin": (True, False),
        "office": (False, False),
        "county_office": (False, False),
        "township_office": (False, False),
        "leader": (False, False),
        "deputy": (False, False),
        "station": (False, False),
        "unit": (False, False),
        "citizen": (False, False),
    },
    Action.EXPORT: {
        "admin": (True, False),
        "office": (True, False),
        "county_office": (True, False),
        "township_office": (True, False),
        "leader": (False, False),
        "deputy": (False, False),
        "station": (False, False),
        "unit": (False, False),
        "citizen": (False, False),
    },
}


@pytest.mark.parametrize("action", list(ORG_EXPECT))
@pytest.mark.parametrize("username", list(ROLES_TO_USERS))
def test_organization_matrix(username: str, action: str, elsewhere: dict[str, Any]) -> None:
    user = User.objects.get(username=username)
    inside = _inside_org(username)
    outside = _sibling_org(username, elsewhere)
    expected = ORG_EXPECT[action][username]
    got = (
        policies.organizations.can(user, inside, action),
        policies.organizations.can(user, outside, action),
    )
    assert got == expected
    # The list filter and the object check are the same rule.
    listed = policies.organizations.filter(user, Organization.objects.all(), action)
    assert (listed.filter(pk=inside.pk).exists(), listed.filter(pk=outside.pk).exists()) == expected


# (own record, someone in jurisdiction, someone outside) per action, for people.
PERSON_EXPECT: dict[str, dict[str, tuple[bool, bool, bool]]] = {
    Action.VIEW: {
        "admin": (True, True, False),
        "office": (True, True, False),
        "county_office": (True, True, False),
        "township_office": (True, True, False),
        "leader": (True, True, False),
        "deputy": (True, False, False),
        "station": (True, True, False),
        "unit": (True, False, False),
        "citizen": (True, False, False),
    },
    Action.CHANGE: {
        "admin": (True, True, False),
        "office": (True, True, False),
        "county_office": (True, True, False),
        "township_office": (True, True, False),
        "leader": (False, False, False),
        "deputy": (True, False, False),
        "station": (False, False, False),
        "unit": (False, False, False),
        "citizen": (True, False, False),
    },
    Action.VIEW_SENSITIVE: {
        "admin": (True, True, False),
        "office": (True, True, False),
        "county_office": (True, True, False),
        "township_office": (True, True, False),
        "leader": (True, False, False),
        "deputy": (True, False, False),
        "station": (True, False, False),
        "unit": (True, False, False),
        "citizen": (True, False, False),
    },
}


def _someone_inside(user: User) -> Person:
    """Another person kept by an office inside the user's first grant's region."""
    grant = user.grants.order_by("id").first()
    assert grant is not None
    region = Region.objects.get(code=grant.region_id)
    person = (
        Person.objects.filter(region_id__gte=region.bounds[0], region_id__lte=region.bounds[1])
        .exclude(pk=user.person_id)
        .order_by("id")
        .first()
    )
    assert person is not None
    return person


@pytest.mark.parametrize("action", list(PERSON_EXPECT))
@pytest.mark.parametrize("username", list(ROLES_TO_USERS))
def test_person_matrix(username: str, action: str, elsewhere: dict[str, Any]) -> None:
    user = User.objects.get(username=username)
    own = user.person
    assert own is not None
    targets = (own, _someone_inside(user), elsewhere["person"])
    got = tuple(policies.people.can(user, p, action) for p in targets)
    assert got == PERSON_EXPECT[action][username]


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("admin", (True, False)),
        ("office", (False, False)),
        ("county_office", (False, False)),
        ("leader", (False, False)),
        ("deputy", (False, False)),
        ("station", (False, False)),
        ("unit", (False, False)),
        ("citizen", (False, False)),
    ],
)
def test_region_create_matrix(username: str, expected: tuple[bool, bool]) -> None:
    user = User.objects.get(username=username)
    got = (
        policies.regions.can_in_region(user, Action.CREATE, "430421100000"),
        policies.regions.can_in_region(user, Action.CREATE, "430221000000"),
    )
    assert got == expected


@pytest.mark.parametrize(
    ("username", "inside_visible", "outside_visible"),
    [
        ("admin", True, False),
        ("office", True, False),
        ("county_office", True, False),
        ("deputy", True, False),
        ("station", True, False),
        ("unit", True, False),
        # Administrative divisions are public reference data for citizens.
        ("citizen", True, True),
    ],
)
def test_region_view_matrix(
    username: str, inside_visible: bool, outside_visible: bool, elsewhere: dict[str, Any]
) -> None:
    user = User.objects.get(username=username)
    grant = user.grants.order_by("id").first()
    assert grant is not None
    inside = Region.objects.get(code=grant.region_id)
    assert policies.regions.can(user, inside) is inside_visible
    assert policies.regions.can(user, elsewhere["region"]) is outside_visible


def test_grant_on_region_covers_whole_subtree(db: Any) -> None:
    county_office = User.objects.get(username="county_office")
    county = Region.objects.get(code="430421000000")
    township_codes = set(county.children.values_list("code", flat=True))
    assert township_codes
    visible = set(
        policies.organizations.filter(county_office, Organization.objects.all()).values_list(
            "region_id", flat=True
        )
    )
    assert township_codes <= visible
    assert visible <= {county.code, *township_codes}


def test_anonymous_and_inactive_users_get_nothing(db: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert not policies.organizations.filter(AnonymousUser(), Organization.objects.all()).exists()
    office = User.objects.get(username="office")
    office.is_active = False
    assert not policies.organizations.filter(office, Organization.objects.all()).exists()


def test_audit_policy_only_admins(db: Any) -> None:
    from renda.core.models import AuditEvent

    assert policies.audit.filter(
        User.objects.get(username="admin"), AuditEvent.objects.all()
    ).exists()
    for username in ("office", "leader", "deputy", "unit", "citizen"):
        assert not policies.audit.filter(
            User.objects.get(username=username), AuditEvent.objects.all()
        ).exists()


def test_check_hides_existence_outside_jurisdiction(elsewhere: dict[str, Any]) -> None:
    from renda.core.errors import NotFound, NotPermitted

    leader = User.objects.get(username="leader")
    inside = Organization.objects.filter(region_id="430400000000").first()
    assert inside is not None
    with pytest.raises(NotFound):
        policies.organizations.check(leader, elsewhere["org"], Action.CHANGE)
    with pytest.raises(NotPermitted):
        policies.organizations.check(leader, inside, Action.CHANGE)
