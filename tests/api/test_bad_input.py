"""Bad input never answers 500 (issue 10): control characters in the duty-record API (NUL
used to be a 500 on PostgreSQL and the others were stored), bodies over the upload limit
(413, was a 500), a multipart body without its boundary (400, was a 500), and the duty
records' documented constraints. Run on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from renda.deputies.models import Mandate
from renda.duties.models import DutyRecord
from renda.seed.world import DEMO_PASSWORD
from tests.api.conftest import ApiClient, assert_problem
from tests.conftest import COUNTY

pytestmark = pytest.mark.django_db

CONTROLS = ["\x00", "\x01", "\x08", "\x0b", "\x1b", "\x1f", "\x7f", "\x85", "\x9f"]


@pytest.fixture
def mandate(db: Any) -> Mandate:
    return Mandate.objects.get(person__user__username="deputy", region_id=COUNTY)


def _record(mandate: Mandate, **overrides: Any) -> dict[str, Any]:
    return {
        "mandate_id": mandate.pk,
        "kind": "reception",
        "title": "接待选民",
        "content": "接待选民 5 人",
        "occurred_on": "2026-11-02",
        "submission_key": "bad-input-1",
        **overrides,
    }


def _control_problem(response: Any, field: str) -> None:
    body = assert_problem(response, 422)
    assert any("控制字符" in message for message in body["errors"][field]), body


@pytest.mark.parametrize("char", CONTROLS, ids=repr)
@pytest.mark.parametrize("field", ["title", "content", "submission_key"])
def test_control_characters_in_a_duty_record_are_refused(
    bearer: Any, mandate: Mandate, field: str, char: str
) -> None:
    response = bearer("station").api_post(
        "/duties/records", _record(mandate, **{field: f"甲{char}乙"})
    )
    _control_problem(response, field)
    assert not DutyRecord.objects.filter(submission_key="bad-input-1").exists()


@pytest.mark.parametrize("text", ["甲\ud800乙", "甲\udfff", "\ufffe", "\ufdd0"], ids=repr)
def test_lone_surrogates_and_noncharacters_are_refused(
    bearer: Any, mandate: Mandate, text: str
) -> None:
    # json.dumps writes them as \uXXXX escapes, which JSON allows and UTF-8 cannot store.
    response = bearer("station").api_post("/duties/records", _record(mandate, content=text))
    assert assert_problem(response, 422)["errors"]["content"]
    assert not DutyRecord.objects.filter(submission_key="bad-input-1").exists()


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x7f"], ids=repr)
@pytest.mark.parametrize("param", ["kind", "q"])
def test_control_characters_in_the_duty_record_filters_are_refused(
    bearer: Any, param: str, char: str
) -> None:
    response = bearer("county_office").api_get("/duties/records", {param: f"meeting{char}"})
    body = assert_problem(response, 422)
    assert param in body["errors"]


@pytest.mark.parametrize("char", ["\n", "\r", "\t"], ids=repr)
def test_a_title_is_one_line_but_the_content_keeps_its_breaks(
    bearer: Any, mandate: Mandate, char: str
) -> None:
    response = bearer("station").api_post("/duties/records", _record(mandate, title=f"甲{char}乙"))
    body = assert_problem(response, 422)
    assert body["errors"]["title"] == ["此项只能填写一行，不能包含换行符或制表符。"]
    content = f"第一段{char}第二段"
    response = bearer("station").api_post("/duties/records", _record(mandate, content=content))
    assert response.status_code == 201, response.content
    assert DutyRecord.objects.get(pk=response.json()["id"]).content == content


def test_empty_content_is_refused_as_the_document_says(client: Client, bearer: Any) -> None:
    doc = json.loads(client.get("/api/v1/openapi.json").content)
    content = doc["components"]["schemas"]["RecordIn"]["properties"]["content"]
    assert content["minLength"] == 1
    assert re.match(content["pattern"], "   ") is None
    mandate = Mandate.objects.get(person__user__username="deputy", region_id=COUNTY)
    for empty in ("", "   "):
        response = bearer("station").api_post("/duties/records", _record(mandate, content=empty))
        assert "履职内容" in assert_problem(response, 422)["errors"]["content"][0]


def test_a_blank_suggestion_title_is_refused_as_the_document_says(
    client: Client, bearer: Any
) -> None:
    doc = json.loads(client.get("/api/v1/openapi.json").content)
    title = doc["components"]["schemas"]["SuggestionIn"]["properties"]["title"]
    assert title["minLength"] == 1
    assert "title" in doc["components"]["schemas"]["SuggestionIn"]["required"]
    mandate = Mandate.objects.get(person__user__username="deputy", region_id=COUNTY)
    for blank in ("", "  "):
        response = bearer("deputy").api_post(
            "/suggestions", {"mandate_id": mandate.pk, "title": blank}
        )
        assert assert_problem(response, 422)["errors"]["title"]


def test_the_ledger_documents_that_date_to_may_not_precede_date_from(
    client: Client, bearer: Any
) -> None:
    doc = json.loads(client.get("/api/v1/openapi.json").content)
    params = {p["name"]: p for p in doc["paths"]["/api/v1/ledgers"]["get"]["parameters"]}
    assert "不能早于 date_from" in params["date_to"]["description"]
    response = bearer("county_office").api_get(
        "/ledgers", {"date_from": "2026-05-01", "date_to": "2026-04-30"}
    )
    assert "date_to" in assert_problem(response, 422)["errors"]


# Bodies ------------------------------------------------------------------------------------


def test_a_json_body_over_the_limit_answers_413(
    anon: ApiClient, bearer: Any, settings: Any
) -> None:
    big = json.dumps(
        {"username": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1), "password": "y"}
    )
    body = assert_problem(anon.api_post("/auth/token", big), 413)
    assert body["type"] == "urn:renda:problem:content-too-large"
    assert "2.5 MB" in body["detail"]
    mandate = Mandate.objects.get(person__user__username="deputy", region_id=COUNTY)
    huge = json.dumps(_record(mandate, content="字" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE))
    assert_problem(bearer("station").api_post("/duties/records", huge), 413)


def test_the_document_lists_413_for_operations_with_a_body(client: Client) -> None:
    doc = json.loads(client.get("/api/v1/openapi.json").content)
    for methods in doc["paths"].values():
        for operation in methods.values():
            if "requestBody" in operation:
                assert "413" in operation["responses"], operation["operationId"]


@pytest.mark.parametrize("password", ["wrong", DEMO_PASSWORD])
def test_multipart_without_a_boundary_answers_400(anon: ApiClient, password: str) -> None:
    body = json.dumps({"username": "office", "password": password})
    response = anon.post("/api/v1/auth/token", body, content_type="multipart/form-data")
    problem = assert_problem(response, 400)
    assert problem["type"] == "urn:renda:problem:malformed-body"


def test_a_well_formed_multipart_body_is_still_refused_as_not_json(anon: ApiClient) -> None:
    response = anon.post("/api/v1/auth/token", {"username": "office", "password": "x"})
    assert_problem(response, 400)


def test_a_page_answers_413_and_400_in_chinese(client: Client, settings: Any) -> None:
    big = {"username": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1), "password": "y"}
    response = client.post("/accounts/login/", big)
    assert response.status_code == 413
    assert "提交的内容过大" in response.content.decode()
    response = client.post("/accounts/login/", b"--x--", content_type="multipart/form-data")
    assert response.status_code == 400
    assert "提交的内容无法识别" in response.content.decode()
    assert "default-src 'self'" in response["Content-Security-Policy"]


# Token requests keep no session ------------------------------------------------------------


@pytest.mark.parametrize(("password", "status"), [(DEMO_PASSWORD, 200), ("wrong", 401)])
def test_a_token_request_creates_no_session_row(
    anon: ApiClient, password: str, status: int
) -> None:
    before = Session.objects.count()
    response = anon.api_post("/auth/token", {"username": "office", "password": password})
    assert response.status_code == status, response.content
    assert Session.objects.count() == before
    assert "sessionid" not in response.cookies


@pytest.mark.parametrize("kind", ["meeting", "suggestion", "session"])
def test_the_kind_filter_takes_every_kind_a_record_can_have(bearer: Any, kind: str) -> None:
    response = bearer("county_office").api_get("/duties/records", {"kind": kind})
    assert response.status_code == 200, response.content
    assert all(item["kind"] == kind for item in response.json()["items"])
