"""Staff sessions end after 30 idle minutes; deputies and citizens keep theirs."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from renda.core.models import AuditAction, AuditEvent

LAST_SEEN = "renda_last_seen"


def idle_for(client, seconds: int) -> None:  # type: ignore[no-untyped-def]
    session = client.session
    session[LAST_SEEN] = int(time.time()) - seconds
    session.save()


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["office", "station", "unit", "leader", "admin"])
def test_staff_session_ends_after_thirty_idle_minutes(login, username: str) -> None:  # type: ignore[no-untyped-def]
    client = login(username)
    assert client.get(reverse("accounts:security")).status_code == 200
    assert LAST_SEEN in client.session
    idle_for(client, 30 * 60 + 1)
    response = client.get("/people/?page=2")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next=%2Fpeople%2F%3Fpage%3D2"
    assert SESSION_KEY not in client.session
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT, actor_name=username).count() == 1
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "您已超过 30 分钟未操作,为保护数据安全已自动退出,请重新登录。" in html
    assert 'name="next" value="/people/?page=2"' in html
    # The explanation is shown once, not on every later visit.
    assert "30 分钟未操作" not in client.get(reverse("accounts:login")).content.decode()


@pytest.mark.django_db
def test_activity_within_the_limit_keeps_the_session(login) -> None:  # type: ignore[no-untyped-def]
    client = login("county_office")
    client.get(reverse("accounts:security"))
    idle_for(client, 29 * 60)
    assert client.get(reverse("accounts:security")).status_code == 200
    # The request counted as activity: the clock was reset.
    assert int(time.time()) - client.session[LAST_SEEN] < 29 * 60
    assert SESSION_KEY in client.session


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["deputy", "citizen"])
def test_non_staff_roles_have_no_idle_timeout(login, username: str) -> None:  # type: ignore[no-untyped-def]
    client = login(username)
    idle_for(client, 5 * 60 * 60)
    assert client.get(reverse("accounts:security")).status_code == 200
    assert SESSION_KEY in client.session


@pytest.mark.django_db
def test_idle_htmx_request_navigates_to_login(login) -> None:  # type: ignore[no-untyped-def]
    client = login("office")
    client.get(reverse("accounts:security"))
    idle_for(client, 31 * 60)
    response = client.get("/people/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_idle_api_request_continues_without_the_session(login) -> None:  # type: ignore[no-untyped-def]
    client = login("office")
    client.get(reverse("accounts:security"))
    idle_for(client, 31 * 60)
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert SESSION_KEY not in client.session
