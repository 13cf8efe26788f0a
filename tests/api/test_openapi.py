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
