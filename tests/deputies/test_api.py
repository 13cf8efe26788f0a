"""/api/v1/deputies: the registry under the same jurisdiction and filters as the pages, and
never a phone or ID number."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest

from renda.core.models import Person, Region
from renda.deputies import services
from renda.deputies.models import DeputyGroup, Mandate, MandateStatus
from tests.api.conftest import assert_problem
from tests.conftest import COUNTY, OTHER_COUNTY

pytestmark = pytest.mark.django_db


def serving_in(code: str) -> set[int]:
    region = Region.objects.get(code=code)
    return set(
        Mandate.objects.filter(
            region.subtree_q("region_id"), status=MandateStatus.SERVING
        ).values_list("pk", flat=True)
    )


def all_ids(client: Any, **params: Any) -> set[int]:
    ids: set[int] = set()
    page = 1
    while True:
        response = client.api_get("/deputies", {**params, "page": page, "page_size": 100})
        assert response.status_code == 200, response.content
        body = response.json()
        ids |= {item["id"] for item in body["items"]}
        if len(ids) >= body["count"]:
            assert len(ids) == body["count"]
            return ids
        page += 1


def test_list_follows_the_jurisdiction(bearer: Any) -> None:
    assert all_ids(bearer("county_office")) == serving_in(COUNTY)
    assert all_ids(bearer("office")) == serving_in("430400000000")
    assert all_ids(bearer("station")) == serving_in("430421100000")
    own = set(Mandate.objects.filter(person__user__username="deputy").values_list("pk", flat=True))
    assert all_ids(bearer("deputy")) == own
    assert all_ids(bearer("unit")) == set()


def test_list_carries_no_phone_or_id_number(bearer: Any) -> None:
    response = bearer("office").api_get("/deputies", {"page_size": 100})
    text = response.content.decode()
    for key in ("phone", "id_number", "birth_date", "_bidx"):
        assert key not in text
    for person in Person.objects.filter(mandates__region_id=COUNTY)[:10]:
        assert person.phone not in text
        assert person.id_number not in text
    item = response.json()["items"][0]
    assert set(item) >= {
        "id",
        "person",
        "congress",
        "term",
        "group",
        "stations",
        "category",
        "status",
        "elected_on",
    }
    assert set(item["person"]) == {
        "id",
        "name",
        "gender",
        "ethnicity",
        "party",
        "education",
        "employer",
        "post",
    }


def test_list_filters(bearer: Any) -> None:
    client = bearer("county_office")
    assert all_ids(client, level="township") == set(
        Mandate.objects.filter(
            region__code__startswith="430421", region__level="township"
        ).values_list("pk", flat=True)
    )
    assert all_ids(client, region="430421100000") == serving_in("430421100000")
    mandate = Mandate.objects.filter(region_id=COUNTY).select_related("person").first()
    assert mandate is not None
    assert mandate.pk in all_ids(client, q=mandate.person.name_initials)
    services.change_status(
        actor=None,
        mandate=mandate,
        to_status=MandateStatus.DECEASED,
        effective_on=datetime.date(2025, 1, 1),
        reason="病故",
    )
    assert mandate.pk not in all_ids(client)
    assert all_ids(client, status="deceased") == {mandate.pk}
    assert mandate.pk in all_ids(client, status="all")
    group = DeputyGroup.objects.create(
        congress=mandate.term.congress, name="第一代表小组", region_id=COUNTY
    )
    others = list(Mandate.objects.filter(region_id=COUNTY).exclude(pk=mandate.pk)[:2])
    Mandate.objects.filter(pk__in=[m.pk for m in others]).update(group=group)
    assert all_ids(client, group=group.pk) == {m.pk for m in others}
    assert all_ids(client, group_name="第一") == {m.pk for m in others}
    # Another county's region gives nothing, not an error.
    assert all_ids(client, region=OTHER_COUNTY) == set()


def test_invalid_filters_are_problems(bearer: Any) -> None:
    client = bearer("county_office")
    assert_problem(client.api_get("/deputies", {"level": "galaxy"}), 422)
    assert_problem(client.api_get("/deputies", {"status": "retired"}), 422)
    assert_problem(client.api_get("/deputies", {"region": "4304"}), 422)


def test_detail_and_not_found_outside_jurisdiction(bearer: Any) -> None:
    client = bearer("county_office")
    mandate = Mandate.objects.filter(region_id=COUNTY).select_related("term__congress").first()
    assert mandate is not None
    body = client.api_get(f"/deputies/{mandate.pk}").json()
    assert body["id"] == mandate.pk
    assert body["congress"] == {
        "id": mandate.term.congress_id,
        "name": "衡阳县人民代表大会",
        "level": "county",
        "region_code": COUNTY,
    }
    assert body["term"]["number"] == 19
    assert body["status"] == "serving"
    assert body["status_display"] == "在任"
    assert "phone" not in json.dumps(body)
    other = Mandate.objects.filter(region__code__startswith="430405").first()
    assert other is not None
    problem = assert_problem(client.api_get(f"/deputies/{other.pk}"), 404)
    assert "管辖范围" in problem["detail"]
    assert_problem(client.api_get("/deputies/999999999"), 404)
    assert_problem(bearer("deputy").api_get(f"/deputies/{mandate.pk}"), 404)


def test_anonymous_gets_401(anon: Any) -> None:
    assert_problem(anon.api_get("/deputies"), 401)
