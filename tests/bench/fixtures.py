"""Fixtures shared by tests/bench and tests/seed (imported by their conftest files)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from renda.seed import world


@pytest.fixture
def session_db(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """The session's test database with the small seed, outside any transaction, for tests
    that point the connection at a scratch database and back."""
    with django_db_blocker.unblock():
        # A transactional test earlier in the session may have flushed the seed away.
        if not world.is_seeded():
            world.build("small")
        try:
            yield
        finally:
            # Outside pytest-django's own fixtures nobody closes this connection; left open
            # it stops the test database from being dropped at the end of the session.
            connection.close()
