"""Run by test_sample_app.py in a separate process under tests.sample_app.settings (the name
keeps it out of the main test run, whose settings do not install the sample app)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from renda.api import registry
from renda.core import workbench
from renda.core.models import Role

pytestmark = pytest.mark.django_db

ENTRY = '<a href="/sample/">样例台账</a>'


def test_the_sample_app_is_installed_by_settings_alone() -> None:
    assert settings.INSTALLED_APPS[-1] == "tests.sample_app"
    assert settings.ROOT_URLCONF == "tests.sample_app.root_urls"


def test_the_menu_entry_appears_for_a_signed_in_user(
    login: Callable[[str], Client], client: Client
) -> None:
    for username in ("office", "deputy", "citizen"):
        html = login(username).get("/workbench/").content.decode()
        assert ENTRY in html, username
    # Between the ledger (120) and the points (130), as its order says.
    html = login("office").get("/workbench/").content.decode()
    assert html.index('href="/ledgers/"') < html.index(ENTRY) < html.index('href="/points/rules/"')
    assert "样例台账" not in client.get("/").content.decode()


def test_the_router_operation_is_in_the_openapi_document(
    login: Callable[[str], Client], client: Client
) -> None:
    assert "/sample" in [mount.prefix for mount in registry.mounts()]
    doc: dict[str, Any] = json.loads(client.get("/api/v1/openapi.json").content)
    operation = doc["paths"]["/api/v1/sample/hello"]["get"]
    assert operation["summary"] == "样例:当前账号"
    assert operation["tags"] == ["样例"]
    answer = login("office").get("/api/v1/sample/hello")
    assert answer.status_code == 200
    assert answer.json() == {"username": "office"}
    assert client.get("/api/v1/sample/hello").status_code == 401


def test_the_workbench_panel_is_listed_for_its_role(login: Callable[[str], Client]) -> None:
    assert "sample.greeting" in [p.key for p in workbench.panels_for({Role.OFFICE})]
    assert "sample.greeting" not in [p.key for p in workbench.panels_for({Role.DEPUTY})]
    html = login("office").get("/workbench/").content.decode()
    assert "样例待办" in html
    assert '<p class="sample-panel">样例面板:' in html
    assert "样例待办" not in login("deputy").get("/workbench/").content.decode()


def test_the_page_answers_and_lights_its_entry(
    login: Callable[[str], Client], client: Client
) -> None:
    response = login("office").get("/sample/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "样例台账页面" in html
    assert '<a href="/sample/" aria-current="page">样例台账</a>' in html
    assert client.get("/sample/").status_code == 302
