"""Getting, using, expiring and revoking bearer tokens; failures as Chinese problem+json."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from renda.api.models import ApiToken
from renda.core.models import AuditAction, AuditEvent, User
from tests.api.conftest import ApiClient, admin_otp, assert_problem, reset_otp_throttle, wrong_otp

pytestmark = pytest.mark.django_db


def test_issue_token_and_use_it(anon: ApiClient, credentials: Any) -> None:
    response = anon.api_post("/auth/token", credentials("office", name="手机App"))
    assert response.status_code == 200, response.content
    body = response.json()
    key = body["token"]
    assert body["token_type"] == "Bearer"
    assert key.startswith(body["prefix"])

    # Only the hash is stored; the secret itself appears nowhere in the table.
    token = ApiToken.objects.get(user__username="office")
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.name == "手机App"
    assert not ApiToken.objects.filter(key_hash=key).exists()
    assert token.expires_at - token.created_at == timedelta(days=30)

    me = ApiClient(token=key).api_get("/me")
    assert me.status_code == 200
    assert me.json()["username"] == "office"
    token.refresh_from_db()
    assert token.last_used_at is not None

    # A token login is a login: audited, and the issue itself is audited too.
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor_name="office").exists()
    issued = AuditEvent.objects.get(object_type="api.apitoken", action=AuditAction.CREATE)
    assert issued.actor_name == "office"
    assert issued.region_code == "430400000000"
    assert "key_hash" not in (issued.after or {})
    assert key not in str(issued.after)
    assert User.objects.get(username="office").last_login is not None


def test_revoke_current_token(bearer: Any) -> None:
    client = bearer("county_office")
    assert client.api_get("/me").status_code == 200

    assert client.api_delete("/auth/token").status_code == 204
    token = ApiToken.objects.get(user__username="county_office")
    assert token.revoked_at is not None
    event = AuditEvent.objects.get(object_type="api.apitoken", action=AuditAction.TRANSITION)
    assert event.actor_name == "county_office"
    assert event.region_code == "430421000000"

    body = assert_problem(client.api_get("/me"), 401)
    assert "吊销" in body["detail"]
    assert_problem(client.api_delete("/auth/token"), 401)


def test_revoking_one_token_leaves_the_others(bearer: Any) -> None:
    first, second = bearer("office"), bearer("office")
    assert first.api_delete("/auth/token").status_code == 204
    assert second.api_get("/me").status_code == 200


def test_expired_token_is_refused(bearer: Any) -> None:
    client = bearer("office")
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    body = assert_problem(client.api_get("/me"), 401)
    assert "过期" in body["detail"]
    assert client.api_get("/me")["WWW-Authenticate"].startswith("Bearer")


def test_unknown_token_and_missing_credentials(anon: ApiClient) -> None:
    assert (
        "吊销"
        in assert_problem(
            anon.api_get("/me", HTTP_AUTHORIZATION="Bearer rnd_not-a-real-token"), 401
        )["detail"]
    )
    body = assert_problem(anon.api_get("/me"), 401)
    assert "登录" in body["detail"]


def test_wrong_password_is_401_in_chinese(anon: ApiClient, credentials: Any) -> None:
    response = anon.api_post("/auth/token", credentials("office", password="Wrong-2026!"))
    body = assert_problem(response, 401)
    assert "密码不正确" in body["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not ApiToken.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, actor_name="office").exists()


def test_lockout_after_five_failures(anon: ApiClient, credentials: Any) -> None:
    wrong = credentials("deputy", password="Wrong-2026!")
    for _ in range(4):
        assert_problem(anon.api_post("/auth/token", wrong), 401)
    fifth = assert_problem(anon.api_post("/auth/token", wrong), 429)
    assert "锁定" in fifth["detail"]

    # Now even the right password is refused, with a time to retry.
    response = anon.api_post("/auth/token", credentials("deputy"))
    body = assert_problem(response, 429)
    assert body["type"] == "urn:renda:problem:locked-out"
    assert "分钟" in body["detail"]
    assert 0 < int(response["Retry-After"]) <= 15 * 60
    assert not ApiToken.objects.exists()
    assert AccessAttempt.objects.get(username="deputy").failures_since_start >= 5
    assert (
        AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, actor_name="deputy").count() >= 6
    )


def test_admin_needs_a_second_factor(anon: ApiClient, credentials: Any) -> None:
    missing = assert_problem(anon.api_post("/auth/token", credentials("admin")), 401)
    assert "otp" in missing["detail"]
    wrong = assert_problem(anon.api_post("/auth/token", credentials("admin", otp=wrong_otp())), 401)
    assert "验证码" in wrong["detail"]
    assert not ApiToken.objects.exists()
    # The wrong code counted against the lockout like a wrong password.
    assert AccessAttempt.objects.get(username="admin").failures_since_start == 1

    # django-otp makes the device wait a second after a wrong code; let that pass without
    # sleeping so the test does not depend on how fast the requests run.
    reset_otp_throttle()
    response = anon.api_post("/auth/token", credentials("admin", otp=admin_otp()))
    assert response.status_code == 200, response.content
    me = ApiClient(token=response.json()["token"]).api_get("/me")
    assert [r["role"] for r in me.json()["roles"]] == ["admin"]


def test_otp_throttling_is_429(anon: ApiClient, credentials: Any) -> None:
    # After ten wrong codes django-otp makes the device wait 2**9 seconds.
    TOTPDevice.objects.filter(user__username="admin").update(
        throttling_failure_count=10, throttling_failure_timestamp=timezone.now()
    )
    response = anon.api_post("/auth/token", credentials("admin", otp=admin_otp()))
    body = assert_problem(response, 429)
    assert body["type"] == "urn:renda:problem:otp-throttled"
    assert "秒后再试" in body["detail"]
    assert 0 < int(response["Retry-After"]) <= 2**9
    assert not ApiToken.objects.exists()


def test_initial_password_must_be_changed_first(anon: ApiClient, credentials: Any) -> None:
    User.objects.filter(username="office").update(must_change_password=True)
    body = assert_problem(anon.api_post("/auth/token", credentials("office")), 403)
    assert "初始密码" in body["detail"]
    assert not ApiToken.objects.exists()


def test_inactive_account_token_stops_working(bearer: Any) -> None:
    client = bearer("unit")
    User.objects.filter(username="unit").update(is_active=False)
    assert_problem(client.api_get("/me"), 401)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "office"}, "password"),
        ({"password": "x"}, "username"),
        ({"username": "off\u0000ice", "password": "x"}, "username"),
        ({"username": "office", "password": "x" * 300}, "password"),
        ({"username": "office", "password": "x", "otp": "12ab"}, "otp"),
    ],
)
def test_bad_token_requests_are_422_per_field(anon: ApiClient, body: Any, field: str) -> None:
    problem = assert_problem(anon.api_post("/auth/token", body), 422)
    assert field in problem["errors"]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in problem["errors"][field])
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).exists()


def test_malformed_body(anon: ApiClient) -> None:
    body = assert_problem(anon.api_post("/auth/token", "{not json"), 400)
    assert "JSON" in body["detail"]
    assert_problem(anon.api_post("/auth/token", "[1, 2]"), 422)


def test_browser_session_works_for_reading(login: Any) -> None:
    response = login("office").get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["username"] == "office"


def test_admin_session_without_second_factor_is_refused(user: Any) -> None:
    client = ApiClient()
    client.force_login(user("admin"))
    assert "两步验证" in assert_problem(client.api_get("/me"), 401)["detail"]


def test_session_cannot_revoke_a_token(login: Any) -> None:
    # Revoking is for bearer tokens only; a session has no "current token".
    assert_problem(login("office").delete("/api/v1/auth/token"), 401)


def test_token_count_per_account_is_capped(bearer: Any) -> None:
    from renda.api.services import MAX_ACTIVE_TOKENS

    clients = [bearer("citizen") for _ in range(MAX_ACTIVE_TOKENS + 2)]
    live = ApiToken.objects.filter(user__username="citizen", revoked_at__isnull=True)
    assert live.count() == MAX_ACTIVE_TOKENS
    assert_problem(clients[0].api_get("/me"), 401)
    assert clients[-1].api_get("/me").status_code == 200


def test_unknown_api_path_is_a_404_problem(anon: ApiClient) -> None:
    assert_problem(anon.api_get("/no-such-thing"), 404)
