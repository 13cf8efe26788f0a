"""Lockout that an attacker cannot turn against the office (issue 10, item 6).

- five wrong passwords lock a username *from the address they came from*: the office signs in
  from its own address meanwhile;
- many usernames failing from one address (password spraying) refuse that address;
- a lock lifts fifteen minutes after it began, however many refused attempts follow.

Each is checked on the login page and on ``POST /api/v1/auth/token``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import Client, override_settings

from renda.seed.world import DEMO_PASSWORD
from tests.api.conftest import ApiClient

from .conftest import post_login

pytestmark = pytest.mark.django_db

WRONG = "Wrong-Password-1"
ATTACKER = "203.0.113.66"
OFFICE = "10.20.30.40"
SPRAY_LIMIT = 20  # settings.LOGIN_ADDRESS_FAILURE_LIMIT


def browser(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def api_client(address: str) -> ApiClient:
    return ApiClient(REMOTE_ADDR=address)


def token(client: ApiClient, username: str, password: str = DEMO_PASSWORD) -> Any:
    return client.api_post("/auth/token", {"username": username, "password": password})


def rewind(minutes: int) -> None:
    """Move every recorded failure ``minutes`` into the past instead of waiting."""
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(
            attempt_time=attempt.attempt_time - dt.timedelta(minutes=minutes)
        )


def assert_problem_429(response: Any, kind: str) -> dict[str, Any]:
    assert response.status_code == 429, response.content.decode()
    assert response["Content-Type"] == "application/problem+json"
    assert int(response["Retry-After"]) > 0
    body: dict[str, Any] = json.loads(response.content)
    assert body["type"] == f"urn:renda:problem:{kind}"
    assert body["status"] == 429
    return body


# --- a username locked from one address only -------------------------------------------------


def test_page_lock_is_per_username_and_address() -> None:
    attacker = browser(ATTACKER)
    for _ in range(5):
        post_login(attacker, "office", WRONG)
    assert post_login(attacker, "office").status_code == 429  # right password, same address
    office = browser(OFFICE)
    response = post_login(office, "office")
    assert response.status_code == 302
    assert SESSION_KEY in office.session
    # The attacker's address stays locked for that username.
    assert post_login(browser(ATTACKER), "office").status_code == 429


def test_api_lock_is_per_username_and_address() -> None:
    attacker = api_client(ATTACKER)
    for _ in range(4):
        assert token(attacker, "deputy", WRONG).status_code == 401
    assert_problem_429(token(attacker, "deputy", WRONG), "locked-out")
    assert_problem_429(token(attacker, "deputy"), "locked-out")
    response = token(api_client(OFFICE), "deputy")
    assert response.status_code == 200, response.content.decode()
    assert response.json()["token"]


# --- password spraying ------------------------------------------------------------------------


def test_page_spraying_from_one_address_is_throttled() -> None:
    sprayer = browser(ATTACKER)
    answers = [post_login(sprayer, f"guess{n:02d}", WRONG).status_code for n in range(40)]
    # The 20th failure completes the address's limit; nothing after it is even tried.
    assert answers[: SPRAY_LIMIT - 1] == [200] * (SPRAY_LIMIT - 1)
    assert answers[SPRAY_LIMIT - 1 :] == [429] * (40 - SPRAY_LIMIT + 1)
    refused = post_login(sprayer, "leader")  # a right password from there is refused too
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "登录已暂时受限" in html
    assert "此网络地址登录失败次数过多" in html
    assert SESSION_KEY not in sprayer.session
    # Only the failures up to the limit were recorded.
    assert AccessAttempt.objects.filter(ip_address=ATTACKER).count() == SPRAY_LIMIT
    # Everyone else signs in as usual.
    assert post_login(browser(OFFICE), "leader").status_code == 302


def test_api_spraying_from_one_address_is_throttled() -> None:
    sprayer = api_client(ATTACKER)
    answers = [token(sprayer, f"guess{n:02d}", WRONG).status_code for n in range(40)]
    assert answers[: SPRAY_LIMIT - 1] == [401] * (SPRAY_LIMIT - 1)
    assert answers[SPRAY_LIMIT - 1 :] == [429] * (40 - SPRAY_LIMIT + 1)
    body = assert_problem_429(token(sprayer, "office"), "address-throttled")
    assert "此网络地址登录失败次数过多" in body["detail"]
    assert token(api_client(OFFICE), "office").status_code == 200


def test_spraying_counts_page_and_api_together() -> None:
    for n in range(10):
        post_login(browser(ATTACKER), f"page{n}", WRONG)
    for n in range(10):
        token(api_client(ATTACKER), f"api{n}", WRONG)
    assert_problem_429(token(api_client(ATTACKER), "office"), "address-throttled")
    assert post_login(browser(ATTACKER), "office").status_code == 429


# --- the window does not restart --------------------------------------------------------------


def test_page_lock_lifts_fifteen_minutes_after_it_began_despite_attempts() -> None:
    attacker = browser(ATTACKER)
    for _ in range(5):
        post_login(attacker, "unit", WRONG)
    rewind(10)
    for _ in range(3):  # ten minutes in, still trying: refused and not counted
        assert post_login(attacker, "unit", WRONG).status_code == 429
    rewind(6)  # sixteen minutes after the lock began
    response = post_login(attacker, "unit")
    assert response.status_code == 302


def test_api_lock_lifts_fifteen_minutes_after_it_began_despite_attempts() -> None:
    attacker = api_client(ATTACKER)
    for _ in range(5):
        token(attacker, "deputy", WRONG)
    for minutes in (5, 5, 4):  # one refused attempt every few minutes
        rewind(minutes)
        assert_problem_429(token(attacker, "deputy", WRONG), "locked-out")
    rewind(2)
    assert token(attacker, "deputy").status_code == 200


def test_address_throttle_lifts_after_the_window_despite_attempts() -> None:
    sprayer = browser(ATTACKER)
    for n in range(SPRAY_LIMIT):
        post_login(sprayer, f"guess{n:02d}", WRONG)
    rewind(14)
    for n in range(5):
        assert post_login(sprayer, f"more{n}", WRONG).status_code == 429
    rewind(2)
    assert post_login(sprayer, "leader").status_code == 302


# --- behind a reverse proxy -------------------------------------------------------------------


@override_settings(PROXY_COUNT=1)
def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw() -> None:
    """Behind nginx every request comes from the proxy's address; the client's is the last
    X-Forwarded-For entry. A forged entry to its left changes nothing."""

    def via_proxy(forwarded: str) -> Client:
        return Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    for n in range(5):
        # The attacker writes a different made-up address in front each time.
        post_login(via_proxy(f"198.51.100.{n}, {ATTACKER}"), "office", WRONG)
    assert post_login(via_proxy(f"192.0.2.1, {ATTACKER}"), "office").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    # The office, through the same proxy, is not locked out.
    assert post_login(via_proxy(OFFICE), "office").status_code == 302
