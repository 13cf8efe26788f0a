"""Every kind of failure becomes RFC 9457 problem+json with a Chinese detail."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from renda.api import selectors
from renda.api.api import api
from renda.core.errors import Conflict, IllegalTransition, InvalidInput, NotFound, NotPermitted
from tests.api.conftest import assert_problem

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("exc", "status", "detail"),
    [
        (NotPermitted(), 403, "没有权限"),
        (NotFound(), 404, "管辖范围"),
        (Conflict(), 409, "已被他人修改"),
        (IllegalTransition(state="已办结", action="交办"), 409, "已办结"),
        (PermissionDenied(), 403, "没有权限"),
        (Http404(), 404, "不存在"),
    ],
)
def test_errors_map_to_problems(exc: Exception, status: int, detail: str) -> None:
    request = RequestFactory().get("/api/v1/anything")
    body = assert_problem(api.on_exception(request, exc), status)
    assert detail in body["detail"]
    assert "errors" not in body


def test_invalid_input_carries_field_errors() -> None:
    request = RequestFactory().post("/api/v1/anything")
    exc = InvalidInput(field_errors={"name": ["请填写名称。"]})
    body = assert_problem(api.on_exception(request, exc), 422)
    assert body["errors"] == {"name": ["请填写名称。"]}


def test_unexpected_error_is_500_without_internals(
    bearer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(user: Any) -> Any:
        raise RuntimeError("internal detail: /srv/secret.py line 3")

    monkeypatch.setattr(selectors, "own_grants", broken)
    response = bearer("office").api_get("/me", HTTP_X_REQUEST_ID="req-123")
    body = assert_problem(response, 500)
    assert "req-123" in body["detail"]
    assert "internal detail" not in response.content.decode()
    assert "RuntimeError" not in response.content.decode()
