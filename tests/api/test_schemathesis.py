"""Property-based testing of every operation in the OpenAPI document with schemathesis:
whatever it sends (valid or deliberately invalid), the API must never answer with a server
error, and its answers must match what the document promises.

The schema is driven through schemathesis' Python API with one Hypothesis run per operation
and generation mode (its pytest plugin's lazy loader does not work with pytest 9 yet). Each
generated request is sent as every demo role (with a fresh token, since one operation revokes
the token it is called with; the administrator's is issued as after its two-step login) and
without a token, so a role's own path through a handler is exercised too. The examples per
run are few, to keep the whole run within a minute or so on one core."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from renda.api import services
from renda.core.models import User
from renda.wsgi import application

pytestmark = pytest.mark.django_db

OPERATIONS = [
    ("POST", "/api/v1/auth/token"),
    ("DELETE", "/api/v1/auth/token"),
    ("GET", "/api/v1/me"),
    ("GET", "/api/v1/regions"),
    ("GET", "/api/v1/regions/{code}"),
    ("GET", "/api/v1/organizations"),
    ("GET", "/api/v1/organizations/{org_id}"),
    ("GET", "/api/v1/deputies"),
    ("GET", "/api/v1/deputies/{mandate_id}"),
    ("GET", "/api/v1/duties/records"),
    ("POST", "/api/v1/duties/records"),
    ("GET", "/api/v1/duties/records/{record_id}"),
    ("POST", "/api/v1/duties/records/{record_id}/review"),
    ("GET", "/api/v1/duties/activities"),
    ("GET", "/api/v1/points/mandates/{mandate_id}/{year}"),
    ("GET", "/api/v1/ledgers"),
    ("GET", "/api/v1/learning"),
    ("GET", "/api/v1/learning/{material_id}"),
    ("POST", "/api/v1/learning/{material_id}/read"),
    ("GET", "/api/v1/suggestions"),
    ("POST", "/api/v1/suggestions"),
    ("GET", "/api/v1/suggestions/records"),
    ("GET", "/api/v1/suggestions/{suggestion_id}"),
    ("POST", "/api/v1/suggestions/{suggestion_id}/submit"),
    ("GET", "/api/v1/cases"),
    ("GET", "/api/v1/cases/{case_id}"),
    ("POST", "/api/v1/cases/{case_id}/sign"),
    ("POST", "/api/v1/cases/{case_id}/reply"),
    ("POST", "/api/v1/cases/{case_id}/approve"),
    ("POST", "/api/v1/cases/{case_id}/return"),
]
# Every demo role (tests/conftest.py seeds them); None is a caller without a token.
ROLES: list[str | None] = [
    "admin",
    "office",
    "county_office",
    "township_office",
    "deputy",
    "station",
    "unit",
    "unit_leader",
    "leader",
    "supervision",
    "citizen",
    None,
]
EXAMPLES = 3
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_schema(db: Any) -> Iterator[Any]:
    # Calling the WSGI application directly (unlike Django's test client) would close the
    # database connection after each request, and with it the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_every_operation_is_covered(api_schema: Any) -> None:
    found = sorted(
        (op.method.upper(), op.path) for op in (r.ok() for r in api_schema.get_all_operations())
    )
    assert found == sorted(OPERATIONS)


@pytest.mark.parametrize(
    "mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"]
)
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_no_server_errors(api_schema: Any, method: str, path: str, mode: GenerationMode) -> None:
    accounts = {u.username: u for u in User.objects.filter(username__in=[r for r in ROLES if r])}
    assert sorted(accounts) == sorted(r for r in ROLES if r)
    operation = api_schema[path][method]
    seen: set[str | None] = set()

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        for role in ROLES:
            headers = {}
            if role is not None:
                _token, key = services.issue_token(user=accounts[role])
                headers["Authorization"] = f"Bearer {key}"
            case.call_and_validate(headers=headers, checks=CHECKS)
            seen.add(role)

    run()
    assert seen == set(ROLES)
