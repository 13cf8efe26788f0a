"""Fixtures for the JSON API: clients that carry a bearer token, and a helper to read
problem+json answers."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from renda.api import services
from renda.core.models import User
from renda.seed.world import DEMO_ADMIN_TOTP_HEX, DEMO_PASSWORD

API = "/api/v1"


class ApiClient(Client):
    """A test client that sends JSON and, when given a token, the bearer header."""

    def __init__(self, token: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.token = token

    def _auth(self, extra: dict[str, Any]) -> dict[str, Any]:
        if self.token and "HTTP_AUTHORIZATION" not in extra:
            extra["HTTP_AUTHORIZATION"] = f"Bearer {self.token}"
        return extra

    def api_get(self, path: str, params: dict[str, Any] | None = None, **extra: Any) -> Any:
        return self.get(API + path, params or {}, **self._auth(extra))

    def api_post(self, path: str, body: Any = None, **extra: Any) -> Any:
        data = body if isinstance(body, str) else json.dumps(body)
        return self.post(API + path, data, content_type="application/json", **self._auth(extra))

    def api_delete(self, path: str, **extra: Any) -> Any:
        return self.delete(API + path, **self._auth(extra))


def admin_otp(drift: int = 0) -> str:
    """The demo administrator's current TOTP code (or the one ``drift`` steps away)."""
    key = bytes.fromhex(DEMO_ADMIN_TOTP_HEX)
    return f"{totp(key, drift=drift):06d}"


def wrong_otp() -> str:
    """A code that is certainly wrong, even allowing for django-otp's one-step tolerance."""
    valid = {admin_otp(d) for d in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)


def reset_otp_throttle() -> None:
    TOTPDevice.objects.filter(user__username="admin").update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )


@pytest.fixture
def anon(db: Any) -> ApiClient:
    return ApiClient()


@pytest.fixture
def bearer(db: Any) -> Callable[[str], ApiClient]:
    """A client holding a fresh token for one demo account (issued through the service)."""

    def make(username: str) -> ApiClient:
        _token, key = services.issue_token(user=User.objects.get(username=username))
        return ApiClient(token=key)

    return make


@pytest.fixture
def credentials() -> Callable[..., dict[str, Any]]:
    def make(username: str, password: str = DEMO_PASSWORD, **extra: Any) -> dict[str, Any]:
        return {"username": username, "password": password, **extra}

    return make


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    """The response is RFC 9457 problem+json with this status and a Chinese detail."""
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = json.loads(response.content)
    assert body["status"] == status
    assert body["type"].startswith("urn:renda:problem:")
    assert body["title"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"]), body["detail"]
    assert "Traceback" not in body["detail"]
    return body
