"""Five wrong passwords in fifteen minutes lock the account; the page says until when."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY, authenticate
from django.test import Client, RequestFactory
from django.urls import reverse

from renda.accounts.views import lockout
from renda.core.models import AuditAction, AuditEvent

from .conftest import post_login

WRONG = "Wrong-Password-1"


def expected_clock(username: str) -> str:
    """Beijing time at which the lock lifts, rounded up to the minute: fifteen minutes after
    the failure that completed the limit (walking back from the newest attempt record, the
    one whose leaving the window brings the sum of failures under five)."""
    total = 0
    for attempt in AccessAttempt.objects.filter(username=username).order_by("-attempt_time"):
        total += attempt.failures_since_start
        if total >= 5:
            break
    until = (attempt.attempt_time + dt.timedelta(minutes=15)).astimezone(ZoneInfo("Asia/Shanghai"))
    floor = until.replace(second=0, microsecond=0)
    if until > floor:
        floor += dt.timedelta(minutes=1)
    return floor.strftime("%H:%M")


@pytest.mark.django_db
def test_sixth_wrong_password_is_locked_with_the_retry_time(anon: Client) -> None:
    for attempt in range(1, 5):
        response = post_login(anon, "office", WRONG)
        assert response.status_code == 200, attempt
        assert "用户名或密码不正确" in response.content.decode()
    # The fourth failure warns that one more locks the account.
    assert "再输错 1 次" in response.content.decode()
    for _ in range(2):  # the fifth failure reaches the limit, the sixth stays locked
        response = post_login(anon, "office", WRONG)
        assert response.status_code == 429
    html = response.content.decode()
    assert "账号已暂时锁定" in html
    assert "密码连续输错 5 次" in html
    assert f"请于 {expected_clock('office')} 后再试" in html
    assert 'value="office"' in html  # the login form is shown again with the username kept
    assert int(response["Retry-After"]) > 0

    failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, actor_name="office")
    assert failed.count() == 6
    assert set(failed.values_list("ip", flat=True)) == {"127.0.0.1"}
    assert set(failed.values_list("object_repr", flat=True)) == {"office"}


@pytest.mark.django_db
def test_right_password_does_not_open_a_locked_account(anon: Client) -> None:
    for _ in range(5):
        post_login(anon, "unit", WRONG)
    response = post_login(anon, "unit")
    assert response.status_code == 429
    assert SESSION_KEY not in anon.session
    # Other accounts are not affected by one account's lock.
    assert post_login(Client(), "leader").status_code == 302


@pytest.mark.django_db
def test_account_opens_again_after_the_cool_off(anon: Client) -> None:
    for _ in range(5):
        post_login(anon, "leader", WRONG)
    assert post_login(anon, "leader").status_code == 429
    # Move the failures sixteen minutes into the past instead of waiting.
    past = dt.timedelta(minutes=16)
    for attempt in AccessAttempt.objects.filter(username="leader"):
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=attempt.attempt_time - past)
    response = post_login(anon, "leader")
    assert response.status_code == 302
    assert response["Location"] == reverse("web:workbench")
    # A successful login clears the failure count.
    assert not AccessAttempt.objects.filter(username="leader").exists()


@pytest.mark.django_db
def test_failures_from_several_browsers_add_up(anon: Client) -> None:
    other = Client(HTTP_USER_AGENT="Phone browser")
    for client in (anon, other, anon, other):
        post_login(client, "station", WRONG)
    response = post_login(other, "station", WRONG)
    assert response.status_code == 429
    assert f"请于 {expected_clock('station')} 后再试" in response.content.decode()


@pytest.mark.django_db
def test_api_lockout_is_problem_json() -> None:
    factory = RequestFactory()
    request = factory.post("/api/v1/auth/token")
    for _ in range(5):
        request = factory.post("/api/v1/auth/token")
        assert authenticate(request=request, username="deputy", password=WRONG) is None
    assert request.axes_locked_out  # type: ignore[attr-defined]
    response = lockout(request, None, {"username": "deputy"})
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    body = json.loads(response.content)
    assert set(body) == {"type", "title", "status", "detail"}
    assert body["status"] == 429
    assert body["title"] == "账号已暂时锁定"
    assert f"请于 {expected_clock('deputy')} 后再试" in body["detail"]
