"""Initial passwords must be changed at first login, against the platform's password rules."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from renda.core.models import AuditAction, AuditEvent, User

from .conftest import post_login

CHANGE = "/accounts/password/"
NEW = "Hengyang-2026-new"


@pytest.fixture
def first_login_client() -> Client:
    User.objects.filter(username="township_office").update(must_change_password=True)
    client = Client()
    assert post_login(client, "township_office")["Location"] == reverse("web:workbench")
    return client


@pytest.mark.django_db
def test_first_login_is_forced_to_the_password_page(first_login_client: Client) -> None:
    for path in (reverse("web:workbench"), "/people/", reverse("web:home")):
        response = first_login_client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == CHANGE
    page = first_login_client.get(CHANGE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "首次登录请修改初始密码" in html
    # The rules are shown before the user has to guess them.
    assert "密码至少需要 10 个字符" in html
    assert "至少 3 类" in html
    # htmx requests are told to navigate rather than swap the password page into a fragment.
    response = first_login_client.get(reverse("web:workbench"), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == CHANGE


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("new", "messages"),
    [
        ("abc", ["密码太短,至少需要 10 个字符", "至少 3 类"]),
        ("abcdefghijkl", ["密码须包含小写字母、大写字母、数字、符号中的至少 3 类"]),
        ("12345678901", ["至少 3 类", "密码只包含数字"]),
        ("Demo-2026!", ["新密码不能与原密码相同"]),
    ],
)
def test_weak_passwords_are_refused_in_chinese(
    first_login_client: Client, new: str, messages: list[str]
) -> None:
    response = first_login_client.post(
        CHANGE, {"old_password": "Demo-2026!", "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 200
    html = response.content.decode()
    for message in messages:
        assert message in html
    user = User.objects.get(username="township_office")
    assert user.must_change_password
    assert user.check_password("Demo-2026!")


@pytest.mark.django_db
def test_mismatch_and_wrong_old_password(first_login_client: Client) -> None:
    response = first_login_client.post(
        CHANGE, {"old_password": "Demo-2026!", "new_password1": NEW, "new_password2": NEW + "x"}
    )
    assert "两次输入的新密码不一致" in response.content.decode()
    response = first_login_client.post(
        CHANGE, {"old_password": "not-it-2026A", "new_password1": NEW, "new_password2": NEW}
    )
    assert "原密码不正确" in response.content.decode()
    response = first_login_client.post(CHANGE, {})
    html = response.content.decode()
    assert "请输入原密码" in html
    assert "请输入新密码" in html
    assert "请再次输入新密码" in html
    assert User.objects.get(username="township_office").must_change_password


@pytest.mark.django_db
def test_changing_the_password_continues_to_the_workbench(first_login_client: Client) -> None:
    response = first_login_client.post(
        CHANGE, {"old_password": "Demo-2026!", "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("web:workbench")
    user = User.objects.get(username="township_office")
    assert not user.must_change_password
    assert user.password.startswith("argon2$")
    assert user.check_password(NEW)
    # This session stays signed in and is no longer forced anywhere.
    assert first_login_client.session[SESSION_KEY] == str(user.pk)
    assert first_login_client.get(reverse("accounts:security")).status_code == 200
    assert first_login_client.get("/people/").get("Location") != CHANGE
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, actor_name="township_office")
    assert event.message == "修改密码"
    # The old password is gone, the new one works.
    assert "用户名或密码不正确" in post_login(Client(), "township_office").content.decode()
    assert post_login(Client(), "township_office", NEW).status_code == 302


@pytest.mark.django_db
def test_anonymous_user_is_sent_to_login(anon: Client) -> None:
    response = anon.get(CHANGE)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={CHANGE}"
