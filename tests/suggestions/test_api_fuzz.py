"""Schemathesis over the /api/v1/suggestions operations, as tests/api/test_schemathesis.py
does for the others: whatever is sent, no server error, answers as documented. Run as a
deputy (who may write) and as an office (who may read)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from renda.api import services
from renda.core.models import User
from tests.api.test_schemathesis import CHECKS, api_schema  # noqa: F401 - the schema fixture

pytestmark = pytest.mark.django_db

OPERATIONS = [
    ("GET", "/api/v1/suggestions"),
    ("POST", "/api/v1/suggestions"),
    ("GET", "/api/v1/suggestions/{suggestion_id}"),
    ("POST", "/api/v1/suggestions/{suggestion_id}/submit"),
]


@pytest.mark.parametrize("username", ["deputy", "county_office"])
@pytest.mark.parametrize(
    "mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"]
)
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_no_server_errors(
    api_schema: Any,  # noqa: F811
    method: str,
    path: str,
    mode: GenerationMode,
    username: str,
) -> None:
    account = User.objects.get(username=username)
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=15,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        _token, key = services.issue_token(user=account)
        case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=CHECKS)

    run()
