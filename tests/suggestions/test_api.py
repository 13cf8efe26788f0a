"""/api/v1/suggestions: a deputy writes and submits, lists follow the jurisdiction policy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from renda.core.models import Congress
from renda.deputies.models import Mandate
from renda.suggestions import selectors, services
from renda.suggestions.models import Suggestion
from tests.api.conftest import assert_problem
from tests.deputies.conftest import anon, bearer  # noqa: F401 - the API fixtures

pytestmark = pytest.mark.django_db


def _body(mandate: Mandate, **overrides: Any) -> dict[str, Any]:
    category = selectors.categories(Congress.objects.get(pk=mandate.term.congress_id)).first()
    assert category is not None
    return {
        "mandate_id": mandate.pk,
        "title": "关于增设农村公路护栏的建议",
        "content": "临水路段缺少护栏。",
        "category_id": category.pk,
        "submit": True,
        "submission_key": "api-1",
        **overrides,
    }


def test_deputy_submits_once_and_reads_it(
    bearer: Callable[[str], Any],  # noqa: F811
    county_mandate: Mandate,
) -> None:
    client = bearer("deputy")
    response = client.api_post("/suggestions", _body(county_mandate))
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "submitted"
    assert created["number"] == 1
    again = client.api_post("/suggestions", _body(county_mandate))
    assert again.json()["id"] == created["id"]
    assert Suggestion.objects.filter(mandate=county_mandate).count() == 1
    listed = client.api_get("/suggestions").json()
    assert [s["id"] for s in listed["items"]] == [created["id"]]
    assert listed["items"][0]["cosigners_confirmed"] == 0
    assert client.api_get(f"/suggestions/{created['id']}").json()["title"] == created["title"]
    other_county = bearer("county_office").api_get("/suggestions").json()
    assert created["id"] in [s["id"] for s in other_county["items"]]
    assert_problem(bearer("unit").api_get(f"/suggestions/{created['id']}"), 404)


def test_draft_then_submit_and_errors_in_chinese(
    bearer: Callable[[str], Any],  # noqa: F811
    county_mandate: Mandate,
) -> None:
    client = bearer("deputy")
    draft = client.api_post(
        "/suggestions", _body(county_mandate, submit=False, content="", submission_key="d1")
    ).json()
    assert draft["status"] == "draft"
    problem = assert_problem(client.api_post(f"/suggestions/{draft['id']}/submit"), 422)
    assert "内容" in str(problem)
    motion = client.api_post(
        "/suggestions", _body(county_mandate, kind="motion", submission_key="m1")
    ).json()
    assert "还差" in motion["detail"]
    assert_problem(
        bearer("unit").api_post("/suggestions", _body(county_mandate, submission_key="u1")), 422
    )
    problem = assert_problem(
        client.api_post(
            "/suggestions", _body(county_mandate, title="标题\u0000", submission_key="n1")
        ),
        422,
    )
    assert "控制字符" in str(problem)
    multiline = client.api_post(
        "/suggestions",
        _body(county_mandate, content="第一段\n第二段", submit=False, submission_key="n2"),
    )
    assert multiline.status_code == 201, multiline.content


def test_office_exports_all_records_with_their_handling_and_it_is_audited(
    bearer: Callable[[str], Any],  # noqa: F811
    county_mandate: Mandate,
    write: Callable[..., Suggestion],
) -> None:
    from renda.core.models import AuditAction, AuditEvent, Organization, User

    office = User.objects.get(username="county_office")
    first = write(county_mandate, title="关于农村饮水安全的建议")
    second = write(county_mandate, title="关于乡村道路照明的建议")
    unit = selectors.units_for(first).first()
    assert isinstance(unit, Organization)
    services.assign(
        actor=office,
        suggestion=services.review(actor=office, suggestion=first, decision="accept"),
        lead_unit=unit,
        co_units=[],
    )
    client = bearer("county_office")
    page = client.api_get("/suggestions/records?limit=1").json()
    assert page["count"] == 2
    assert len(page["items"]) == 1
    rest = client.api_get("/suggestions/records?limit=1&offset=1").json()["items"]
    rows = {r["id"]: r for r in [*page["items"], *rest]}
    assert set(rows) == {first.pk, second.pk}
    assert rows[first.pk]["case_status"] == "assigned"
    assert rows[first.pk]["lead_unit"] == unit.name
    assert rows[first.pk]["due_on"]
    assert rows[second.pk]["case_status"] is None
    assert rows[second.pk]["number"]
    exports = AuditEvent.objects.filter(
        action=AuditAction.EXPORT, actor=office, object_type="suggestions.suggestion"
    )
    assert exports.count() == 2
    # A unit and a deputy may not export; an office outside the county gets none of these.
    assert_problem(bearer("unit").api_get("/suggestions/records"), 403)
    assert_problem(bearer("deputy").api_get("/suggestions/records"), 403)
    assert bearer("township_office").api_get("/suggestions/records").json()["count"] == 0
