"""Helpers for the sign-in tests: posting the login form and computing real TOTP codes."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from renda.seed.world import DEMO_ADMIN_TOTP_HEX, DEMO_PASSWORD


def post_login(client: Client, username: str, password: str = DEMO_PASSWORD, **extra: Any) -> Any:
    data = {"username": username, "password": password, **extra}
    return client.post(reverse("accounts:login"), data)


def code_for(key: bytes) -> str:
    """The current 6-digit code for a TOTP key, as the user's phone would show it."""
    return f"{totp(key):06d}"


def admin_code() -> str:
    return code_for(bytes.fromhex(DEMO_ADMIN_TOTP_HEX))


def unthrottle(user_id: int) -> None:
    """django_otp makes a device wait 1, 2, 4 ... seconds after a wrong code; tests that go on
    to try another code clear that wait instead of sleeping."""
    TOTPDevice.objects.filter(user_id=user_id).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )


@pytest.fixture
def anon() -> Client:
    """A fresh browser with no session."""
    return Client()
