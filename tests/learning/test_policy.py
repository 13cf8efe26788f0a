"""Permission matrix for study materials: offices and administrators over the region of the
publishing congress, deputies over the materials addressed to them, everyone else nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from renda.core.models import User
from renda.core.policies import Action
from renda.learning.models import Material
from renda.learning.policies import materials
from tests.learning.conftest import CITY, COUNTY, OTHER_COUNTY

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
TARGETS = ("city", "county", "other_county")

# (city congress material, 衡阳县 material, 珠晖区 material); the demo deputy serves in the
# city and 衡阳县 congresses, so the first two are addressed to them.
VIEW = {
    "admin": (True, True, True),
    "office": (True, True, True),
    "county_office": (False, True, False),
    "township_office": (False, False, False),
    "leader": (False, False, False),
    "deputy": (True, True, False),
    "station": (False, False, False),
    "unit": (False, False, False),
    "citizen": (False, False, False),
}
MANAGE = {**VIEW, "deputy": (False, False, False)}
EXPECT = {Action.VIEW: VIEW, Action.CHANGE: MANAGE, Action.EXPORT: MANAGE}


@pytest.fixture
def targets(publish: Callable[..., Material]) -> dict[str, Material]:
    return {
        "city": publish("office", CITY),
        "county": publish("county_office", COUNTY),
        "other_county": publish("office", OTHER_COUNTY),
    }


@pytest.mark.parametrize("action", list(EXPECT))
@pytest.mark.parametrize("username", USERS)
def test_material_matrix(username: str, action: str, targets: dict[str, Material]) -> None:
    user = User.objects.get(username=username)
    got = tuple(materials.can(user, targets[key], action) for key in TARGETS)
    assert got == EXPECT[action][username]
    listed = materials.filter(user, Material.objects.all(), action)
    assert tuple(listed.filter(pk=targets[key].pk).exists() for key in TARGETS) == got


# Who may publish in the name of (city congress, 衡阳县 congress, 珠晖区 congress).
CREATE = {
    "admin": (True, True, True),
    "office": (True, True, True),
    "county_office": (False, True, False),
    "township_office": (False, False, False),
    "leader": (False, False, False),
    "deputy": (False, False, False),
    "station": (False, False, False),
    "unit": (False, False, False),
    "citizen": (False, False, False),
}


@pytest.mark.parametrize("username", USERS)
def test_create_matrix(username: str) -> None:
    user = User.objects.get(username=username)
    got = tuple(
        materials.can_in_region(user, Action.CREATE, code) for code in (CITY, COUNTY, OTHER_COUNTY)
    )
    assert got == CREATE[username]


@pytest.mark.parametrize("username", USERS)
def test_pages_follow_the_matrix(
    username: str, targets: dict[str, Material], login: Callable[..., object]
) -> None:
    client = login(username)
    for key, allowed in zip(TARGETS, VIEW[username], strict=True):
        response = client.get(f"/learning/{targets[key].pk}/")  # type: ignore[attr-defined]
        assert response.status_code == (200 if allowed else 404), (key, response.status_code)
    for key, allowed, visible in zip(TARGETS, MANAGE[username], VIEW[username], strict=True):
        response = client.get(f"/learning/manage/{targets[key].pk}/")  # type: ignore[attr-defined]
        # A deputy sees their material but not its receipts: refused, not "missing".
        expected = 200 if allowed else 403 if visible else 404
        assert response.status_code == expected, (key, response.status_code)


def test_anonymous_is_sent_to_login(targets: dict[str, Material], client: object) -> None:
    for url in (
        f"/learning/{targets['city'].pk}/",
        "/learning/",
        "/learning/manage/",
        f"/learning/{targets['city'].pk}/attachment/",
    ):
        response = client.get(url)  # type: ignore[attr-defined]
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
