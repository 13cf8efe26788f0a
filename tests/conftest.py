"""Shared fixtures: the small demo world is seeded once per test database and every test
runs inside a transaction that is rolled back, so tests see the same world and stay fast.

``make test`` runs the tests in parallel (pytest-xdist, one process per core). Each process
then has its own copy of everything the tests write to:

- the test database: pytest-django suffixes its name with the worker id (``test_test_gw1``
  on PostgreSQL; on SQLite each process has its own in-memory database);
- Redis (the cache and the RQ queues with ``REDIS_URL``): worker ``gwN`` uses database
  number ``base + N`` of the configured server (see ``_worker_redis_url``), so one worker
  never sees another's cached values or picks up its jobs;
- media files, the SMS file and ``RENDA_VAR_DIR`` for the shipped commands the tests start
  as subprocesses: a temporary directory per process (``pytest_configure`` below);
- live servers listen on a free port the system picks (pytest-django's default), and
  ``tmp_path`` is already per worker.

Tests that must not run at the same time as each other (none today) can share a mark
``@pytest.mark.xdist_group("name")``: ``make test`` schedules with ``--dist loadgroup``, which
runs a group on one worker.

Transactional and live-server tests flush the database, so they run after the tests that
rely on the session seed (``reseed`` seeds again for them); xdist hands each worker its
tests in collection order, so that holds on every worker. The order (``_run_order``) also
puts the slow tests first, so that no worker is left with a long test when the others are
done.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.test import Client, override_settings

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

# Redis database numbers the workers may take; 15 is kept for the RQ round trip in
# tests/notifications/test_task_backends.py, which one test uses at a time.
REDIS_DATABASES = 15


def _worker_index() -> int | None:
    """0 for xdist's gw0, 1 for gw1, ...; None outside xdist (a serial run)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker.removeprefix("gw")) if worker.startswith("gw") else None


def _worker_redis_url(url: str, index: int) -> str:
    """The same Redis server, database number ``base + index`` (base from the URL's path)."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    number = base + index
    if number >= REDIS_DATABASES:
        raise pytest.UsageError(
            f"{url} leaves no Redis database for xdist worker gw{index}: run fewer workers"
        )
    return urlunsplit(parts._replace(path=f"/{number}"))


def _redis_overrides(index: int) -> dict[str, Any]:
    url = settings.REDIS_URL
    if not url:
        return {}
    mine = _worker_redis_url(url, index)
    caches = {
        alias: {**cache, "LOCATION": mine} if cache.get("LOCATION") == url else cache
        for alias, cache in settings.CACHES.items()
    }
    queues = {
        name: {**queue, "URL": mine} if queue.get("URL") == url else queue
        for name, queue in settings.RQ_QUEUES.items()
    }
    os.environ["REDIS_URL"] = mine  # for the commands tests start as subprocesses
    return {"REDIS_URL": mine, "CACHES": caches, "RQ_QUEUES": queues}


_isolation: list[tuple[override_settings, Path]] = []


def pytest_configure(config: pytest.Config) -> None:
    """Give this test process its own Redis database (under xdist) and its own var dir."""
    distributing = config.getoption("dist", "no") != "no" and config.getoption("tx", None)
    if distributing and not hasattr(config, "workerinput"):
        return  # xdist's controller only hands out tests; its workers start from its env
    var = Path(
        tempfile.mkdtemp(prefix=f"renda-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-")
    )
    os.environ["RENDA_VAR_DIR"] = str(var)  # settings are loaded; only subprocesses read it
    overrides: dict[str, Any] = {
        "MEDIA_ROOT": var / "media",
        "SMS_FILE_PATH": str(var / "sms.jsonl"),
    }
    index = _worker_index()
    if index is not None:
        overrides.update(_redis_overrides(index))
    isolation = override_settings(**overrides)
    isolation.enable()
    _isolation.append((isolation, var))


def pytest_unconfigure(config: pytest.Config) -> None:
    while _isolation:
        isolation, var = _isolation.pop()
        isolation.disable()
        shutil.rmtree(var, ignore_errors=True)


def _run_order(item: pytest.Item) -> tuple[int, int]:
    """Tests without the database first (they need no seed; among them the ones that build
    scratch databases, which take a minute each), then the tests inside a rolled-back
    transaction, then the transactional and live-server ones that flush the database;
    within each, the tests marked slow first."""
    names = getattr(item, "fixturenames", ())
    marker = item.get_closest_marker("django_db")
    flushes = "transactional_db" in names or "live_server" in names
    if marker is not None:
        flushes = flushes or bool(
            marker.kwargs.get("transaction", marker.args[0] if marker.args else False)
            or marker.kwargs.get("reset_sequences")
        )
    if flushes:
        kind = 2
    elif marker is not None or "db" in names:
        kind = 1
    else:
        kind = 0
    slow = item.get_closest_marker("slow") is not None or "session_db" in names
    return kind, 0 if slow else 1


@pytest.hookimpl(trylast=True)  # after pytest-django's own ordering, which it refines
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=_run_order)


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
