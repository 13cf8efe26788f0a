"""/api/v1/duties: a station's app posts records for its deputies and the office reviews
them, under the same policies and audit as the pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from renda.core.models import AuditEvent
from renda.deputies.models import Mandate
from renda.duties.models import DutyRecord, RecordSource, RecordStatus
from tests.api.conftest import assert_problem
from tests.deputies.conftest import anon, bearer  # noqa: F401 - the API fixtures

pytestmark = pytest.mark.django_db


def _body(mandate: Mandate, **overrides: Any) -> dict[str, Any]:
    return {
        "mandate_id": mandate.pk,
        "kind": "reception",
        "content": "接待选民 5 人",
        "occurred_on": "2026-11-02",
        "submission_key": "api-1",
        **overrides,
    }


def test_station_app_posts_a_proxy_record_and_office_confirms(
    bearer: Callable[[str], Any],  # noqa: F811
    county_mandate: Mandate,
) -> None:
    response = bearer("station").api_post("/duties/records", _body(county_mandate))
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["source"] == RecordSource.PROXY
    assert created["status"] == RecordStatus.SUBMITTED
    again = bearer("station").api_post("/duties/records", _body(county_mandate))
    assert again.json()["id"] == created["id"]
    reviewed = bearer("county_office").api_post(
        f"/duties/records/{created['id']}/review", {"decision": "confirm"}
    )
    assert reviewed.status_code == 200, reviewed.content
    assert reviewed.json()["status"] == RecordStatus.CONFIRMED
    assert AuditEvent.objects.filter(
        object_type="duties.dutyrecord", object_id=str(created["id"]), action="transition"
    ).exists()


def test_record_without_content_is_a_chinese_problem(
    bearer: Callable[[str], Any],  # noqa: F811
    county_mandate: Mandate,
) -> None:
    response = bearer("deputy").api_post("/duties/records", _body(county_mandate, content=" "))
    body = assert_problem(response, 422)
    assert "履职内容" in str(body)
    assert not DutyRecord.objects.filter(mandate=county_mandate).exists()


def test_cannot_post_for_a_deputy_outside_reach(bearer: Callable[[str], Any]) -> None:  # noqa: F811
    other = Mandate.objects.filter(region_id="430405000000").first()
    assert other is not None
    assert_problem(bearer("station").api_post("/duties/records", _body(other)), 422)


def test_lists_follow_the_jurisdiction(
    bearer: Callable[[str], Any],  # noqa: F811
    county_mandate: Mandate,
) -> None:
    created = bearer("deputy").api_post("/duties/records", _body(county_mandate)).json()
    mine = bearer("deputy").api_get("/duties/records").json()
    assert created["id"] in {item["id"] for item in mine["items"]}
    assert all(
        item["mandate_id"]
        in {m.pk for m in Mandate.objects.filter(person__user__username="deputy")}
        for item in mine["items"]
    )
    assert bearer("unit").api_get("/duties/records").json()["count"] == 0
    assert_problem(bearer("unit").api_get(f"/duties/records/{created['id']}"), 404)
    assert bearer("station").api_get("/duties/activities").status_code == 200
