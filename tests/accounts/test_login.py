"""The password step: every demo role lands on its workbench, bad input is explained in
Chinese, ``next`` cannot send anyone off-site, and passwords are stored with Argon2."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from renda.core.models import AuditAction, AuditEvent, User

from .conftest import admin_code, post_login

NO_SECOND_STEP = (
    "office",
    "county_office",
    "township_office",
    "deputy",
    "station",
    "unit",
    "leader",
    "citizen",
)


@pytest.mark.django_db
@pytest.mark.parametrize("username", NO_SECOND_STEP)
def test_each_demo_role_lands_on_the_workbench(username: str) -> None:
    client = Client()
    response = post_login(client, username)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:workbench")
    assert client.session[SESSION_KEY] == str(User.objects.get(username=username).pk)
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor_name=username).count() == 1


@pytest.mark.django_db
def test_admin_lands_on_the_workbench_after_the_code() -> None:
    client = Client()
    response = post_login(client, "admin")
    assert response["Location"] == reverse("accounts:otp")
    assert SESSION_KEY not in client.session
    response = client.post(reverse("accounts:otp"), {"token": admin_code()})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:workbench")
    assert client.session[SESSION_KEY] == str(User.objects.get(username="admin").pk)


@pytest.mark.django_db
def test_login_page_is_chinese_and_labelled(anon: Client) -> None:
    response = anon.get(reverse("accounts:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_username">用户名</label>' in html
    assert '<label for="id_password">密码</label>' in html
    assert 'autocomplete="current-password"' in html
    # CSP forbids inline script and style; the page must not rely on them.
    assert "<script>" not in html
    assert "style=" not in html


@pytest.mark.django_db
def test_wrong_password_keeps_the_username(anon: Client) -> None:
    response = post_login(anon, "county_office", "Wrong-pass-1")
    assert response.status_code == 200
    html = response.content.decode()
    assert "用户名或密码不正确" in html
    assert 'value="county_office"' in html
    assert SESSION_KEY not in anon.session


@pytest.mark.django_db
def test_unknown_user_gets_the_same_message(anon: Client) -> None:
    response = post_login(anon, "nobody-here", "Whatever-1!")
    assert "用户名或密码不正确" in response.content.decode()
    assert 'value="nobody-here"' in response.content.decode()


@pytest.mark.django_db
def test_missing_fields_are_named_in_chinese(anon: Client) -> None:
    response = anon.post(reverse("accounts:login"), {"username": "office", "password": ""})
    html = response.content.decode()
    assert "请输入密码" in html
    assert 'value="office"' in html
    assert 'aria-describedby="id_password_errors"' in html
    response = anon.post(reverse("accounts:login"), {"username": "", "password": "x"})
    assert "请输入用户名" in response.content.decode()


@pytest.mark.django_db
def test_signed_out_visit_to_a_private_page_explains_itself(anon: Client) -> None:
    response = anon.get(reverse("accounts:security"), follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/?next=/accounts/security/"
    assert "该页面需要登录后才能访问,请先登录" in response.content.decode()
    # ... and signing in goes back there.
    assert post_login(anon, "citizen", next="/accounts/security/")["Location"] == (
        "/accounts/security/"
    )


@pytest.mark.django_db
def test_inactive_account_cannot_sign_in(anon: Client) -> None:
    User.objects.filter(username="deputy").update(is_active=False)
    response = post_login(anon, "deputy")
    assert "用户名或密码不正确" in response.content.decode()
    assert SESSION_KEY not in anon.session


@pytest.mark.django_db
@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/steal",
        "//evil.example/x",
        "http://testserver.evil.example/",
        "javascript:alert(1)",
        "https:///evil.example",
    ],
)
def test_open_redirect_next_is_ignored(anon: Client, target: str) -> None:
    response = post_login(anon, "office", next=target)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:workbench")


@pytest.mark.django_db
def test_local_next_is_followed(anon: Client) -> None:
    response = anon.get(reverse("accounts:login"), {"next": "/people/?q=1"})
    assert 'name="next" value="/people/?q=1"' in response.content.decode()
    assert "该页面需要登录后才能访问" in response.content.decode()
    response = post_login(anon, "office", next="/people/?q=1")
    assert response["Location"] == "/people/?q=1"


@pytest.mark.django_db
def test_admin_next_survives_the_second_step(anon: Client) -> None:
    post_login(anon, "admin", next="/audit/")
    response = anon.post(reverse("accounts:otp"), {"token": admin_code()})
    assert response["Location"] == "/audit/"


@pytest.mark.django_db
def test_signed_in_user_visiting_login_goes_to_the_workbench(login) -> None:  # type: ignore[no-untyped-def]
    response = login("office").get(reverse("accounts:login"))
    assert response.status_code == 302
    assert response["Location"] == reverse("web:workbench")


@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2(anon: Client) -> None:
    assert User.objects.get(username="office").password.startswith("argon2$")
    # ... and a password set through the application is too.
    user = User.objects.get(username="deputy")
    user.set_password("Another-Pass-2026")
    user.save()
    assert User.objects.get(pk=user.pk).password.startswith("argon2$argon2id$")


@pytest.mark.django_db
def test_logout_is_post_only_and_audited(login) -> None:  # type: ignore[no-untyped-def]
    client = login("station")
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert SESSION_KEY in client.session
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")
    assert SESSION_KEY not in client.session
    event = AuditEvent.objects.get(action=AuditAction.LOGOUT, actor_name="station")
    assert event.ip == "127.0.0.1"


@pytest.mark.django_db
def test_stale_form_gets_a_plain_chinese_csrf_page() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "office", "password": "x"})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()
