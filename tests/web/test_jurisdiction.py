"""Lists and details show only what the user's jurisdiction covers; everything else is a 404."""

from __future__ import annotations

import re
from typing import Any

import pytest

from renda.core.models import Organization, OrganizationKind, Person
from tests.conftest import COUNTY, OTHER_COUNTY

pytestmark = pytest.mark.django_db


def _count(html: str) -> int:
    match = re.search(r"共 (\d+) ", html)
    assert match is not None
    return int(match.group(1))


def test_county_office_lists_only_its_county_organizations(login: Any, region: Any) -> None:
    client = login("county_office")
    county, other = region(COUNTY), region(OTHER_COUNTY)
    html = client.get("/organizations/").content.decode()
    assert _count(html) == Organization.objects.filter(county.subtree_q("region_id")).count()
    # Searching for the other county finds nothing at all.
    html = client.get("/organizations/", {"q": other.name}).content.decode()
    assert _count(html) == 0
    assert "没有符合条件的机构" in html
    own = client.get("/organizations/", {"q": county.name}).content.decode()
    assert _count(own) > 0
    assert other.name not in own


def test_organization_filters_by_kind_and_region(login: Any, region: Any) -> None:
    client = login("office")
    county = region(COUNTY)
    html = client.get(
        "/organizations/", {"kind": OrganizationKind.LIAISON_STATION, "region": COUNTY}
    ).content.decode()
    expected = Organization.objects.filter(
        county.subtree_q("region_id"), kind=OrganizationKind.LIAISON_STATION
    )
    assert _count(html) == expected.count()
    for org in expected:
        assert org.name in html


def test_region_outside_jurisdiction_is_refused_with_the_input_kept(login: Any) -> None:
    html = (
        login("county_office")
        .get("/organizations/", {"region": OTHER_COUNTY, "q": "人大"})
        .content.decode()
    )
    assert "请选择您管辖范围内的区划" in html
    assert 'value="人大"' in html
    # The invalid region is ignored, never widened: still only the own county.
    assert "珠晖区" not in html.split('id="results"')[1]


def test_over_long_search_gets_a_chinese_message(login: Any) -> None:
    html = login("office").get("/people/", {"q": "张" * 60}).content.decode()
    assert "搜索内容不能超过 50 个字" in html


def test_htmx_filter_returns_only_the_results(login: Any) -> None:
    client = login("office")
    response = client.get("/organizations/", {"q": "衡阳县"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="results"')
    assert "<html" not in html
    assert "HX-Request" in response.headers["Vary"]
    # A history restore asks for the whole page again.
    full = client.get(
        "/organizations/", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    ).content.decode()
    assert "<html" in full


def test_county_office_lists_only_its_county_people(login: Any, region: Any) -> None:
    client = login("county_office")
    county, other = region(COUNTY), region(OTHER_COUNTY)
    html = client.get("/people/").content.decode()
    assert _count(html) == Person.objects.filter(county.subtree_q("region_id")).count()
    outsider = Person.objects.filter(other.subtree_q("region_id")).first()
    assert outsider is not None
    assert _count(client.get("/people/", {"q": outsider.name}).content.decode()) == (
        Person.objects.filter(county.subtree_q("region_id"), name__contains=outsider.name).count()
    )
    # Not even a full phone number finds someone from another county.
    assert _count(client.get("/people/", {"q": outsider.phone}).content.decode()) == 0


def test_person_outside_jurisdiction_is_a_chinese_404(login: Any, region: Any) -> None:
    client = login("county_office")
    outsider = Person.objects.filter(region(OTHER_COUNTY).subtree_q("region_id")).first()
    insider = Person.objects.filter(region(COUNTY).subtree_q("region_id")).first()
    assert outsider is not None
    assert insider is not None
    response = client.get(f"/people/{outsider.pk}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "不在您的管辖范围内" in html
    assert outsider.name not in html
    assert client.get(f"/people/{insider.pk}/").status_code == 200
    assert client.get("/people/99999999/").status_code == 404


def test_search_by_initials_and_pagination(login: Any, region: Any) -> None:
    client = login("office")
    person = Person.objects.exclude(name_initials="").order_by("pk").first()
    assert person is not None
    html = client.get("/people/", {"q": person.name_initials}).content.decode()
    assert person.name in html
    total = _count(client.get("/people/").content.decode())
    assert total > 20
    page2 = client.get("/people/", {"page": 2}).content.decode()
    assert "第 2 / " in page2
    # A page past the end shows the last page rather than an error.
    last = client.get("/people/", {"page": 9999})
    assert last.status_code == 200


def test_station_sees_only_its_own_organization(login: Any, user: Any) -> None:
    html = login("station").get("/organizations/").content.decode()
    assert _count(html) == 1
    assert "人大代表联络站" in html


def test_lists_are_closed_to_roles_without_a_region(login: Any) -> None:
    assert login("deputy").get("/people/").status_code == 403
    assert login("citizen").get("/organizations/").status_code == 403
    assert login("unit").get("/people/").status_code == 403


def test_deputy_reaches_own_record_but_no_one_else(login: Any, user: Any) -> None:
    client = login("deputy")
    own = user("deputy").person
    assert client.get(f"/people/{own.pk}/").status_code == 200
    other = Person.objects.exclude(pk=own.pk).filter(region_id=own.region_id).first()
    assert other is not None
    assert client.get(f"/people/{other.pk}/").status_code == 404
    assert f'href="/people/{own.pk}/"' in client.get("/workbench/").content.decode()
