"""The OpenAPI document and the docs page."""

from __future__ import annotations

import json
from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def test_openapi_document(client: Any) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = json.loads(response.content)
    assert doc["openapi"].startswith("3.")
    assert doc["info"]["title"] == "Renda API"
    assert doc["info"]["version"] == "1"
    paths = doc["paths"]
    for path, method in [
        ("/api/v1/auth/token", "post"),
        ("/api/v1/auth/token", "delete"),
        ("/api/v1/me", "get"),
        ("/api/v1/regions", "get"),
        ("/api/v1/regions/{code}", "get"),
        ("/api/v1/organizations", "get"),
        ("/api/v1/organizations/{org_id}", "get"),
    ]:
        assert method in paths[path], (path, method)
    # Errors are documented as problem details.
    orgs = paths["/api/v1/organizations/{org_id}"]["get"]["responses"]
    for status in ("401", "404", "422"):
        schema = orgs[status]["content"]["application/problem+json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/Problem"}
    problem = doc["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail"}
    schemes = doc["components"]["securitySchemes"]
    assert schemes["BearerAuth"] == {"type": "http", "scheme": "bearer"}
    params = {p["name"]: p for p in paths["/api/v1/regions"]["get"]["parameters"]}
    assert params["parent"]["schema"]["anyOf"][0]["pattern"] == "^[0-9]{12}$"


def test_docs_page_is_served_locally(client: Any) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<script src="/static/ninja/swagger-ui-bundle.js">' in html
    assert "cdn." not in html
    assert "https://" not in html
    # No inline script: the settings travel as JSON data, which CSP does not execute.
    assert "<script>" not in html
    assert "script-src 'self'" in response["Content-Security-Policy"]
    asset = client.get("/static/ninja/swagger-ui-bundle.js")
    assert asset.status_code == 200


def _schema_classes() -> list[type[Any]]:
    from ninja import Schema

    from renda.api.api import api

    api.get_openapi_schema()  # every router is mounted and every schema class defined
    found: list[type[Any]] = []
    todo: list[type[Any]] = [Schema]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("renda."):
                found.append(sub)
    return found


def _enums(annotation: Any) -> list[type[Any]]:
    import enum
    import typing

    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return [annotation]
    return [e for arg in typing.get_args(annotation) for e in _enums(arg)]


def test_schema_names_are_unique() -> None:
    """The document names components by class name, and a second class of the same name
    silently replaces the first (two ``RecordOut`` documented the duty records with the
    suggestion export's schema)."""
    by_name: dict[str, set[str]] = {}
    for cls in _schema_classes():
        by_name.setdefault(cls.__name__, set()).add(f"{cls.__module__}.{cls.__qualname__}")
        # Enums of the fields are components too (ActivityKind, RegionLevel, ...).
        for field in cls.model_fields.values():
            for enum in _enums(field.annotation):
                by_name.setdefault(enum.__name__, set()).add(
                    f"{enum.__module__}.{enum.__qualname__}"
                )
    assert {name: where for name, where in by_name.items() if len(where) > 1} == {}


def test_duty_records_are_documented_with_their_own_schema(client: Any) -> None:
    doc = json.loads(client.get("/api/v1/openapi.json").content)
    one = doc["paths"]["/api/v1/duties/records/{record_id}"]["get"]["responses"]["200"]
    ref = one["content"]["application/json"]["schema"]["$ref"]
    fields = doc["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]
    assert {"mandate_id", "kind", "content", "occurred_on", "source"} <= set(fields)


def test_every_response_carries_a_permissions_policy(client: Any) -> None:
    for path in ("/", "/accounts/login/", "/api/v1/openapi.json", "/no-such-page", "/healthz"):
        policy = client.get(path)["Permissions-Policy"]
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert f"{feature}=()" in policy, (path, feature)
