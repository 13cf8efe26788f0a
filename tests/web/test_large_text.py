"""The large-text, high-contrast mode (适老化): switched on once, kept."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from renda.core.models import AuditAction, AuditEvent, User

pytestmark = pytest.mark.django_db


def _is_large(client: Client, path: str = "/") -> bool:
    html = client.get(path).content.decode()
    return '<html lang="zh-hans" class="large-text">' in html


def test_signed_in_user_keeps_the_mode_on_the_account(login: Any, user: Any) -> None:
    client = login("deputy")
    assert not _is_large(client, "/workbench/")
    response = client.post("/preferences/large-text/", {"enabled": "1", "next": "/workbench/"})
    assert response.status_code == 302
    assert response["Location"] == "/workbench/"
    assert user("deputy").large_text is True
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, actor=user("deputy"), after={"large_text": True}
    ).exists()
    assert _is_large(client, "/workbench/")
    # Another device: a fresh session for the same account finds the mode switched on.
    assert _is_large(login("deputy"), "/workbench/")

    client.post("/preferences/large-text/", {"enabled": "0", "next": "/workbench/"})
    assert user("deputy").large_text is False
    assert not _is_large(client, "/workbench/")


def test_anonymous_visitor_keeps_the_mode_in_a_cookie(client: Client) -> None:
    assert not _is_large(client)
    response = client.post("/preferences/large-text/", {"enabled": "1", "next": "/"})
    assert response.status_code == 302
    cookie = response.cookies["renda_large_text"]
    assert cookie.value == "1"
    assert int(cookie["max-age"]) >= 60 * 60 * 24 * 365
    assert cookie["httponly"]
    assert _is_large(client)
    # Nobody signed in, so no account changed.
    assert not User.objects.filter(large_text=True).exists()

    response = client.post("/preferences/large-text/", {"enabled": "0", "next": "/"})
    assert response.cookies["renda_large_text"]["max-age"] == 0
    assert not _is_large(client)


def test_toggle_button_reflects_the_state(client: Client) -> None:
    html = client.get("/").content.decode()
    assert 'name="enabled" value="1"' in html
    assert 'aria-pressed="false"' in html
    client.post("/preferences/large-text/", {"enabled": "1"})
    html = client.get("/").content.decode()
    assert 'name="enabled" value="0"' in html
    assert "已开启" in html


def test_toggle_never_redirects_off_site(client: Client) -> None:
    response = client.post(
        "/preferences/large-text/", {"enabled": "1", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_toggle_only_accepts_post(client: Client) -> None:
    assert client.get("/preferences/large-text/").status_code == 405


def test_toggle_requires_the_csrf_token() -> None:
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/preferences/large-text/", {"enabled": "1"})
    assert response.status_code == 403
