"""Bell, inbox and preference pages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from renda.notifications import services
from renda.notifications.context_processors import unread
from renda.notifications.models import Notification, Preference
from tests.notifications.conftest import DUMMY

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


@pytest.fixture(autouse=True)
def _no_sending(settings: Any) -> None:
    settings.TASKS = DUMMY


def notify(user: Any, title: str = "消息", **extra: Any) -> Notification:
    return services.notify(recipients=[user], kind="system", title=title, body="正文", **extra)[0]


def test_bell_renders_nothing_for_anonymous() -> None:
    response = Client().get(reverse("notifications:bell"))
    assert response.status_code == 200
    assert response.content.strip() == b""
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_bell_label_and_badge(login: Any, user: Any) -> None:
    deputy = user("deputy")
    client = login("deputy")
    html = client.get(reverse("notifications:bell")).content.decode()
    assert 'aria-label="消息"' in html
    assert "bell-badge" not in html
    for i in range(3):
        notify(deputy, f"消息{i}")
    html = client.get(reverse("notifications:bell")).content.decode()
    assert 'aria-label="消息(3 条未读)"' in html
    assert '<span class="bell-badge" aria-hidden="true">3</span>' in html
    assert f'href="{reverse("notifications:inbox")}"' in html
    assert 'hx-get="/notifications/bell/"' in html
    assert "every 60s" in html


def test_bell_caps_at_99(login: Any, user: Any) -> None:
    deputy = user("deputy")
    Notification.objects.bulk_create(
        Notification(recipient=deputy, kind="system", title=str(i)) for i in range(120)
    )
    html = login("deputy").get(reverse("notifications:bell")).content.decode()
    assert 'aria-label="消息(99+ 条未读)"' in html
    assert ">99+</span>" in html


def test_context_processor_counts_lazily_with_one_query(
    user: Any, django_assert_num_queries: Any
) -> None:
    deputy = user("deputy")
    notify(deputy)
    notify(deputy)
    request = RequestFactory().get("/")
    request.user = deputy
    with django_assert_num_queries(0):
        context = unread(request)
    with django_assert_num_queries(1):
        assert context["unread_count"]() == 2
        assert context["unread_count"]() == 2

    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert unread(request) == {"unread_count": 0}


def test_inbox_requires_login() -> None:
    response = Client().get(reverse("notifications:inbox"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_inbox_lists_only_own_messages(login: Any, user: Any) -> None:
    notify(user("deputy"), "我的视察通知")
    notify(user("office"), "别人的消息")
    response = login("deputy").get(reverse("notifications:inbox"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "我的视察通知" in html
    assert "系统消息" in html  # the kind's label
    assert "别人的消息" not in html
    assert not INLINE_SCRIPT.search(html)
    assert " style=" not in html
    assert "<style" not in html


def test_inbox_unread_filter(login: Any, user: Any) -> None:
    deputy = user("deputy")
    read = notify(deputy, "已经看过")
    notify(deputy, "还没看")
    services.mark_read(user=deputy, notification_id=read.pk)
    html = login("deputy").get(reverse("notifications:inbox") + "?show=unread").content.decode()
    assert "还没看" in html
    assert "已经看过" not in html


def test_mark_read_with_htmx(login: Any, user: Any) -> None:
    note = notify(user("deputy"), "请阅读")
    client = login("deputy")
    response = client.post(
        reverse("notifications:mark_read", args=[note.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "notifications-changed"
    html = response.content.decode()
    assert f'id="notification-{note.pk}"' in html
    assert "is-unread" not in html
    assert "标为已读" not in html
    note.refresh_from_db()
    assert note.read_at is not None


def test_mark_read_without_htmx_redirects(login: Any, user: Any) -> None:
    note = notify(user("deputy"))
    response = login("deputy").post(
        reverse("notifications:mark_read", args=[note.pk]), {"next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("notifications:inbox")


def test_cannot_touch_someone_elses_message(login: Any, user: Any) -> None:
    note = notify(user("office"))
    client = login("deputy")
    assert client.post(reverse("notifications:mark_read", args=[note.pk])).status_code == 404
    assert client.get(reverse("notifications:open", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_mark_all_read(login: Any, user: Any) -> None:
    deputy = user("deputy")
    notify(deputy)
    notify(deputy)
    client = login("deputy")
    response = client.post(reverse("notifications:mark_all_read"), follow=True)
    assert "已将 2 条消息标为已读。" in response.content.decode()
    assert not Notification.objects.filter(recipient=deputy, read_at__isnull=True).exists()
    assert client.get(reverse("notifications:mark_all_read")).status_code == 405


def test_open_marks_read_and_follows_local_links_only(login: Any, user: Any) -> None:
    deputy = user("deputy")
    local = notify(deputy, url="/notifications/preferences/")
    external = notify(deputy, url="https://evil.example/phish")
    client = login("deputy")
    response = client.get(reverse("notifications:open", args=[local.pk]))
    assert response["Location"] == "/notifications/preferences/"
    response = client.get(reverse("notifications:open", args=[external.pk]))
    assert response["Location"] == reverse("notifications:inbox")
    assert Notification.objects.filter(recipient=deputy, read_at__isnull=True).count() == 0


def test_preferences_page_and_save(login: Any, user: Any) -> None:
    client = login("deputy")
    html = client.get(reverse("notifications:preferences")).content.decode()
    for label in ("系统消息", "账号安全", "活动提醒", "逾期督办"):
        assert label in html
    assert html.count('name="kind"') >= 4
    assert 'id="id_reminder-sms"' in html
    assert "您的账号未登记电子邮箱" in html

    response = client.post(
        reverse("notifications:preferences"),
        {"kind": "reminder", "reminder-in_app": "on", "reminder-email": "on"},
    )
    assert response.status_code == 302
    pref = Preference.objects.get(user=user("deputy"), kind="reminder")
    assert (pref.in_app, pref.email, pref.sms) == (True, True, False)


def test_preferences_htmx_returns_the_form(login: Any, user: Any) -> None:
    response = login("deputy").post(
        reverse("notifications:preferences"),
        {"kind": "system", "system-sms": "on"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<form class="preference-form')
    assert "已保存" in html
    pref = Preference.objects.get(user=user("deputy"), kind="system")
    assert (pref.in_app, pref.email, pref.sms) == (False, False, True)


def test_security_inbox_cannot_be_switched_off(login: Any, user: Any) -> None:
    client = login("deputy")
    html = client.get(reverse("notifications:preferences")).content.decode()
    [tag] = re.findall(r'<input[^>]*id="id_security-in_app"[^>]*>', html)
    assert " disabled" in tag
    assert " checked" in tag
    client.post(reverse("notifications:preferences"), {"kind": "security"})
    pref = Preference.objects.get(user=user("deputy"), kind="security")
    assert pref.in_app is True


def test_unknown_kind_is_a_clear_message(login: Any) -> None:
    response = login("deputy").post(
        reverse("notifications:preferences"), {"kind": "nonsense"}, follow=True
    )
    assert "未知的消息类型“nonsense”。" in response.content.decode()
    assert not Preference.objects.exists()
