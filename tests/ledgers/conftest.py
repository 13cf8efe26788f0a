"""The small duty data on top of the session's demo world, inside each test's transaction
(rolled back afterwards); skipped when the session seed already carries it."""

from __future__ import annotations

from typing import Any

import pytest

from renda.duties.models import DutyRecord
from renda.seed import activities
from tests.api.conftest import anon, bearer  # noqa: F401 - the API tests' fixtures


@pytest.fixture
def duty_data(db: Any) -> None:
    if not DutyRecord.objects.exists():
        activities.build("small")
