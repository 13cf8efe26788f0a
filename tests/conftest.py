"""Shared fixtures: the small demo world is seeded once per test database and every test
runs inside a transaction that is rolled back, so tests see the same world and stay fast."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from renda.core.models import Organization, Region, User
from renda.seed import world as seed_world

DEMO_USERS = (
    "admin",
    "office",
    "county_office",
    "township_office",
    "deputy",
    "station",
    "unit",
    "leader",
    "citizen",
)
COUNTY = "430421000000"  # 衡阳县: county_office's jurisdiction
OTHER_COUNTY = "430405000000"  # 珠晖区: a sibling county


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        if not seed_world.is_seeded():
            seed_world.build("small")
    return


@pytest.fixture
def reseed(transactional_db: Any) -> None:
    """For transactional and live-server tests, whose flush wipes the session seed."""
    if not seed_world.is_seeded():
        seed_world.build("small")


@pytest.fixture
def user(db: Any) -> Callable[[str], User]:
    def get(username: str) -> User:
        return User.objects.get(username=username)

    return get


def verify_otp(client: Client, user: User) -> None:
    """Mark the session as having passed TOTP, as django_otp.login() would."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()


@pytest.fixture
def login(db: Any) -> Callable[[str], Client]:
    """A test client signed in as one of the demo accounts (admin also past 2FA)."""

    def make(username: str) -> Client:
        client = Client()
        account = User.objects.get(username=username)
        client.force_login(account)
        verify_otp(client, account)
        return client

    return make


@pytest.fixture
def region(db: Any) -> Callable[[str], Region]:
    return lambda code: Region.objects.get(code=code)


@pytest.fixture
def org(db: Any) -> Callable[..., Organization]:
    return lambda **lookup: Organization.objects.get(**lookup)
