"""/me, /regions and /organizations answer under the same jurisdiction as the pages."""

from __future__ import annotations

from typing import Any

import pytest

from renda.core.models import Organization, OrganizationKind, Region
from tests.api.conftest import ApiClient, assert_problem
from tests.conftest import COUNTY, OTHER_COUNTY

pytestmark = pytest.mark.django_db
CITY = "430400000000"


# /me -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("office", [("office", CITY, None)]),
        ("county_office", [("office", COUNTY, None)]),
        ("leader", [("leader", CITY, None)]),
        ("deputy", [("deputy", COUNTY, None), ("deputy", CITY, None)]),
        ("unit", [("unit", CITY, "衡阳市住房和城乡建设局")]),
        ("station", [("station", None, "人大代表联络站")]),
        ("citizen", [("citizen", None, None)]),
    ],
)
def test_me_per_role(bearer: Any, username: str, expected: list[Any]) -> None:
    body = bearer(username).api_get("/me").json()
    assert body["username"] == username
    assert body["display_name"]
    assert body["large_text"] is False
    roles = sorted(body["roles"], key=lambda r: (r["role"], r["region"]["code"]))
    assert len(roles) == len(expected)
    for role, (name, code, org) in zip(
        roles, sorted(expected, key=lambda e: (e[0], e[1] or "")), strict=True
    ):
        assert role["role"] == name
        assert role["role_display"]
        assert role["region"]["name"]
        if code:
            assert role["region"]["code"] == code
        if org:
            assert org in role["organization"]["name"]
        else:
            assert role["organization"] is None
    # No personal data in the skeleton's account view.
    assert "phone" not in body
    assert "id_number" not in body


def test_me_reports_large_text(bearer: Any, user: Any) -> None:
    account = user("deputy")
    account.large_text = True
    account.save(update_fields=["large_text"])
    assert bearer("deputy").api_get("/me").json()["large_text"] is True


# /regions ------------------------------------------------------------------------------------


def codes(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [r["code"] for r in response.json()]


def test_top_regions_follow_the_jurisdiction(bearer: Any) -> None:
    assert codes(bearer("office").api_get("/regions")) == [CITY]
    assert codes(bearer("county_office").api_get("/regions")) == [COUNTY]
    # A deputy at city and county level sees the city, which contains the county.
    assert codes(bearer("deputy").api_get("/regions")) == [CITY]
    # Administrative divisions are public to citizens: their top is the whole country.
    assert codes(bearer("citizen").api_get("/regions")) == ["000000000000"]


def test_children_of_a_region(bearer: Any) -> None:
    office = bearer("office")
    counties = office.api_get("/regions", {"parent": CITY}).json()
    assert [c["code"] for c in counties] == sorted([COUNTY, OTHER_COUNTY])
    assert all(c["parent_code"] == CITY and c["level"] == "county" for c in counties)
    assert all(c["has_children"] for c in counties)

    townships = codes(office.api_get("/regions", {"parent": COUNTY}))
    expected = list(
        Region.objects.filter(parent_id=COUNTY).order_by("code").values_list("code", flat=True)
    )
    assert townships == expected
    assert len(townships) == 3
    township = office.api_get(f"/regions/{townships[0]}").json()
    assert township["has_children"] is False
    assert township["level_display"] == "乡镇级"


def test_children_are_limited_to_what_the_user_may_see(bearer: Any) -> None:
    county_office = bearer("county_office")
    assert codes(county_office.api_get("/regions", {"parent": CITY})) == [COUNTY]
    assert codes(county_office.api_get("/regions", {"parent": OTHER_COUNTY})) == []
    assert_problem(county_office.api_get(f"/regions/{OTHER_COUNTY}"), 404)
    assert county_office.api_get(f"/regions/{COUNTY}").json()["name"] == "衡阳县"


def test_region_codes_are_validated(bearer: Any) -> None:
    client = bearer("office")
    body = assert_problem(client.api_get("/regions", {"parent": "4304"}), 422)
    assert body["errors"] == {"parent": ["行政区划代码应为 12 位数字。"]}
    assert "12 位数字" in assert_problem(client.api_get("/regions/43040000000x"), 422)["detail"]
    missing = assert_problem(client.api_get("/regions", {"parent": "439999000000"}), 404)
    assert "439999000000" in missing["detail"]


# /organizations ------------------------------------------------------------------------------


def test_county_office_sees_its_county_only(bearer: Any) -> None:
    client = bearer("county_office")
    body = client.api_get("/organizations", {"page_size": 100}).json()
    in_county = Organization.objects.filter(
        region_id__gte=COUNTY[:6] + "000000", region_id__lte=COUNTY[:6] + "999999"
    )
    assert body["count"] == in_county.count() > 0
    assert {o["id"] for o in body["items"]} == set(in_county.values_list("id", flat=True))
    assert all(o["region"]["code"].startswith(COUNTY[:6]) for o in body["items"])
    assert {o["region"]["code"] for o in body["items"]} > {COUNTY}  # townships too

    other = Organization.objects.filter(region_id=OTHER_COUNTY).first()
    assert other is not None
    problem = assert_problem(client.api_get(f"/organizations/{other.pk}"), 404)
    assert "管辖范围" in problem["detail"]
    mine = in_county.first()
    assert mine is not None
    assert client.api_get(f"/organizations/{mine.pk}").json()["name"] == mine.name

    assert client.api_get("/organizations", {"region": OTHER_COUNTY}).json() == {
        "items": [],
        "count": 0,
    }


def test_city_office_sees_both_counties(bearer: Any) -> None:
    body = bearer("office").api_get("/organizations", {"region": OTHER_COUNTY}).json()
    assert body["count"] > 0
    assert all(o["region"]["code"].startswith(OTHER_COUNTY[:6]) for o in body["items"])


def test_unit_and_station_see_their_own_organization(bearer: Any, user: Any) -> None:
    for username in ("unit", "station"):
        grant = user(username).grants.get()
        body = bearer(username).api_get("/organizations").json()
        assert [o["id"] for o in body["items"]] == [grant.organization_id]
    assert bearer("citizen").api_get("/organizations").json()["count"] == 0


def test_filters_and_pagination(bearer: Any) -> None:
    client = bearer("office")
    stations = client.api_get("/organizations", {"kind": "liaison_station"}).json()
    assert (
        stations["count"]
        == Organization.objects.filter(kind=OrganizationKind.LIAISON_STATION).count()
    )
    assert {o["kind"] for o in stations["items"]} == {"liaison_station"}
    assert {o["kind_display"] for o in stations["items"]} == {"代表联络站"}

    found = client.api_get("/organizations", {"q": "住房和城乡建设局"}).json()
    assert found["count"] >= 2
    assert all("住房和城乡建设局" in o["name"] for o in found["items"])

    page1 = client.api_get("/organizations", {"page_size": 3}).json()
    page2 = client.api_get("/organizations", {"page_size": 3, "page": 2}).json()
    assert len(page1["items"]) == len(page2["items"]) == 3
    assert page1["count"] == page2["count"] == Organization.objects.count()
    assert not {o["id"] for o in page1["items"]} & {o["id"] for o in page2["items"]}
    assert client.api_get("/organizations", {"page": 99999}).json()["items"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "bank"}, "kind"),
        ({"region": "43"}, "region"),
        ({"q": "a" * 51}, "q"),
        ({"q": "局\u0000"}, "q"),
        ({"page": 0}, "page"),
        ({"page_size": 1000}, "page_size"),
    ],
)
def test_organization_filters_are_validated(bearer: Any, params: Any, field: str) -> None:
    body = assert_problem(bearer("office").api_get("/organizations", params), 422)
    assert list(body["errors"]) == [field]


def test_organization_ids_are_validated(bearer: Any) -> None:
    client = bearer("office")
    assert_problem(client.api_get("/organizations/0"), 422)
    assert_problem(client.api_get(f"/organizations/{2**70}"), 422)
    assert_problem(client.api_get(f"/organizations/{2**62}"), 404)


def test_reads_need_credentials(anon: ApiClient) -> None:
    for path in ("/me", "/regions", f"/regions/{CITY}", "/organizations", "/organizations/1"):
        assert_problem(anon.api_get(path), 401)
