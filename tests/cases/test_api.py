"""/api/v1/cases for a government unit's own system: its to-do list, one case, sign for it and
reply, under the same policy as the pages; errors are problem+json in Chinese."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from renda.cases import services
from renda.cases.models import Case, CaseStatus, Reply
from renda.core.models import Organization, User
from tests.api.conftest import anon, assert_problem, bearer  # noqa: F401 - the API fixtures

pytestmark = pytest.mark.django_db

REPLY = {"result_class": "A", "content": "已完成加装电梯 12 部。", "approved_by_name": "张局长"}


def test_unit_lists_only_its_own_cases(
    bearer: Any,  # noqa: F811
    make_case: Callable[..., Case],
    other_unit: Organization,
) -> None:
    mine = make_case(title="住建局的建议")
    theirs = make_case(title="教育局的建议", lead=other_unit)
    response = bearer("unit").api_get("/cases")
    assert response.status_code == 200, response.content
    body = response.json()
    ids = {item["id"] for item in body["items"]}
    assert mine.pk in ids
    assert theirs.pk not in ids
    item = next(i for i in body["items"] if i["id"] == mine.pk)
    assert item["status"] == "assigned"
    assert item["lead_unit"] == "衡阳市住房和城乡建设局"
    assert item["overdue"] is False
    assert_problem(bearer("unit").api_get(f"/cases/{theirs.pk}"), 404)
    assert_problem(bearer("unit").api_post(f"/cases/{theirs.pk}/sign"), 404)
    assert Case.objects.get(pk=theirs.pk).status == CaseStatus.ASSIGNED


def test_sign_and_reply(bearer: Any, make_case: Callable[..., Case]) -> None:  # noqa: F811
    case = make_case()
    client = bearer("unit")
    # Replying before signing for it is an illegal step.
    assert_problem(client.api_post(f"/cases/{case.pk}/reply", REPLY), 409)
    response = client.api_post(f"/cases/{case.pk}/sign")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "signed"
    assert_problem(client.api_post(f"/cases/{case.pk}/sign"), 409)
    bad = assert_problem(
        client.api_post(f"/cases/{case.pk}/reply", {**REPLY, "result_class": "B", "content": " "}),
        422,
    )
    assert "B 类答复须写明承诺的措施和完成时限" in str(bad)
    assert "请填写答复内容" in str(bad)
    # The housing bureau has a leader account: the staff's reply awaits the leader's sign-off.
    response = client.api_post(f"/cases/{case.pk}/reply", REPLY)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["sent"], body["case_status"], body["reply"]) == (False, "drafted", None)
    assert body["draft"]["decision"] == "pending"
    assert body["draft"]["drafted_by"] == User.objects.get(username="unit").display_name
    assert not Reply.objects.filter(case=case).exists()
    assert client.api_get(f"/cases/{case.pk}").json()["draft"]["content"] == REPLY["content"]
    # Staff cannot sign off; the leader sees it on their to-do list and does.
    assert_problem(client.api_post(f"/cases/{case.pk}/approve", {}), 403)
    leader = bearer("unit_leader")
    assert case.pk in {i["id"] for i in leader.api_get("/cases").json()["items"]}
    response = leader.api_post(f"/cases/{case.pk}/approve", {})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["sent"], body["case_status"]) == (True, "replied")
    assert body["reply"]["result_class"] == "A"
    assert (
        body["reply"]["approved_by_name"] == User.objects.get(username="unit_leader").display_name
    )
    assert_problem(leader.api_post(f"/cases/{case.pk}/approve", {}), 409)
    assert Reply.objects.get(case=case).sent_by == User.objects.get(username="unit")
    detail = client.api_get(f"/cases/{case.pk}").json()
    assert detail["status"] == "replied"
    assert detail["draft"] is None
    assert [r["content"] for r in detail["replies"]] == [REPLY["content"]]
    assert [e["action"] for e in detail["events"]][-3:] == ["sign", "draft_reply", "approve_reply"]
    # A replied case leaves the to-do lists.
    assert case.pk not in {i["id"] for i in client.api_get("/cases").json()["items"]}
    assert case.pk not in {i["id"] for i in leader.api_get("/cases").json()["items"]}


def test_leader_returns_and_replies_directly(
    bearer: Any,  # noqa: F811
    make_case: Callable[..., Case],
) -> None:
    case = make_case()
    staff, leader = bearer("unit"), bearer("unit_leader")
    staff.api_post(f"/cases/{case.pk}/sign")
    staff.api_post(f"/cases/{case.pk}/reply", REPLY)
    assert_problem(leader.api_post(f"/cases/{case.pk}/return", {"comment": " "}), 422)
    assert_problem(leader.api_post(f"/cases/{case.pk}/return", {}), 422)
    response = leader.api_post(f"/cases/{case.pk}/return", {"comment": "请补充开工时间。"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["sent"], body["case_status"]) == (False, "signed")
    assert (body["draft"]["decision"], body["draft"]["comment"]) == ("returned", "请补充开工时间。")
    assert staff.api_get(f"/cases/{case.pk}").json()["draft"]["decision"] == "returned"
    assert_problem(leader.api_post(f"/cases/{case.pk}/approve", {}), 409)
    # The leader's own reply is signed by them and sent at once, whatever signer is typed.
    response = leader.api_post(f"/cases/{case.pk}/reply", {**REPLY, "approved_by_name": ""})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["sent"], body["case_status"], body["draft"]) == (True, "replied", None)
    assert (
        body["reply"]["approved_by_name"] == User.objects.get(username="unit_leader").display_name
    )
    # The author follows the case without the unit's internal sign-off steps.
    seen = bearer("deputy").api_get(f"/cases/{case.pk}").json()
    assert seen["draft"] is None
    assert [e["action"] for e in seen["events"]] == ["assign", "sign", "reply"]
    unit_view = staff.api_get(f"/cases/{case.pk}").json()
    assert [e["action"] for e in unit_view["events"]] == [
        "assign",
        "sign",
        "draft_reply",
        "return_reply",
        "reply",
    ]


def test_malformed_json_and_bad_values(bearer: Any, make_case: Callable[..., Case]) -> None:  # noqa: F811
    case = make_case()
    client = bearer("unit")
    client.api_post(f"/cases/{case.pk}/sign")
    assert_problem(client.api_post(f"/cases/{case.pk}/reply", "{not json"), 400)
    assert_problem(client.api_post(f"/cases/{case.pk}/reply", {**REPLY, "result_class": "D"}), 422)
    assert_problem(
        client.api_post(f"/cases/{case.pk}/reply", {**REPLY, "content": "a\u0000b"}), 422
    )
    assert not Reply.objects.filter(case=case).exists()


def test_reply_after_reassignment_is_refused(
    bearer: Any,  # noqa: F811
    make_case: Callable[..., Case],
    other_unit: Organization,
) -> None:
    case = make_case()
    services.sign(actor=User.objects.get(username="unit"), case=case)
    services.request_reassignment(
        actor=User.objects.get(username="unit"), case=case, reason="不属于我局职责"
    )
    services.decide_reassignment(
        actor=User.objects.get(username="office"),
        case=case,
        approve=True,
        new_lead_unit=other_unit,
        comment="",
    )
    problem = assert_problem(bearer("unit").api_post(f"/cases/{case.pk}/reply", REPLY), 403)
    assert "已调整由其他单位承办" in problem["detail"]
    assert not Reply.objects.filter(case=case).exists()


def test_other_roles(bearer: Any, anon: Any, make_case: Callable[..., Case]) -> None:  # noqa: F811
    case = make_case()
    # Offices see the case but cannot sign for the unit; the author cannot reply.
    assert bearer("office").api_get(f"/cases/{case.pk}").status_code == 200
    assert_problem(bearer("office").api_post(f"/cases/{case.pk}/sign"), 403)
    assert bearer("office").api_get("/cases").json()["count"] == 0
    assert_problem(bearer("deputy").api_post(f"/cases/{case.pk}/sign"), 403)
    assert_problem(bearer("citizen").api_get(f"/cases/{case.pk}"), 404)
    assert_problem(anon.api_get("/cases"), 401)
