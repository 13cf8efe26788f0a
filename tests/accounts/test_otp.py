"""Two-step verification: mandatory for administrators, voluntary for everyone else."""

from __future__ import annotations

import base64
import re
import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from renda.core.models import AuditAction, AuditEvent, User
from renda.seed.world import DEMO_ADMIN_TOTP_HEX

from .conftest import admin_code, code_for, post_login, unthrottle

OTP = "/accounts/otp/"
SETUP = "/accounts/otp/setup/"


def admin() -> User:
    return User.objects.get(username="admin")


@pytest.mark.django_db
def test_password_alone_does_not_sign_an_admin_in(anon: Client) -> None:
    response = post_login(anon, "admin")
    assert response["Location"] == OTP
    assert SESSION_KEY not in anon.session
    # Nothing else is reachable with the password alone.
    response = anon.get(reverse("web:workbench"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    page = anon.get(OTP)
    assert page.status_code == 200
    assert "6 位动态验证码" in page.content.decode()
    assert 'autocomplete="one-time-code"' in page.content.decode()


@pytest.mark.django_db
def test_wrong_code_is_refused_audited_then_right_code_passes(anon: Client) -> None:
    post_login(anon, "admin")
    good = admin_code()
    bad = "000000" if good != "000000" else "111111"
    response = anon.post(OTP, {"token": bad})
    assert response.status_code == 200
    assert "验证码不正确或已过期" in response.content.decode()
    assert SESSION_KEY not in anon.session
    assert (
        AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, actor_name="admin").count() == 1
    )

    unthrottle(admin().pk)
    response = anon.post(OTP, {"token": good[:3] + " " + good[3:]})  # typed as the app shows it
    assert response["Location"] == reverse("web:workbench")
    assert anon.session[SESSION_KEY] == str(admin().pk)
    device = TOTPDevice.objects.get(user=admin())
    assert anon.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor_name="admin").count() == 1
    # The same code cannot be replayed.
    other = Client()
    post_login(other, "admin")
    assert "验证码不正确或已过期" in other.post(OTP, {"token": good}).content.decode()


@pytest.mark.django_db
def test_malformed_code_is_explained(anon: Client) -> None:
    post_login(anon, "admin")
    response = anon.post(OTP, {"token": "12ab"})
    assert "验证码是 6 位数字" in response.content.decode()
    response = anon.post(OTP, {"token": ""})
    assert "请输入验证器上显示的 6 位数字" in response.content.decode()


@pytest.mark.django_db
def test_throttled_device_says_how_long_to_wait(anon: Client) -> None:
    post_login(anon, "admin")
    # Ten recent failures make django_otp require a wait of 512 seconds.
    from django.utils import timezone

    TOTPDevice.objects.filter(user=admin()).update(
        throttling_failure_count=10, throttling_failure_timestamp=timezone.now()
    )
    response = anon.post(OTP, {"token": admin_code()})
    assert re.search(r"尝试过于频繁,请 \d+ 秒后再试", response.content.decode())
    assert SESSION_KEY not in anon.session


@pytest.mark.django_db
def test_five_wrong_codes_lock_the_account(anon: Client) -> None:
    post_login(anon, "admin")
    good = admin_code()
    bad = "000000" if good != "000000" else "111111"
    for _ in range(4):
        assert anon.post(OTP, {"token": bad}).status_code == 200
        unthrottle(admin().pk)
    response = anon.post(OTP, {"token": bad})
    assert response.status_code == 429
    assert "密码或验证码连续输错 5 次" in response.content.decode()
    assert "后再试" in response.content.decode()
    assert (
        AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, actor_name="admin").count() == 5
    )
    # The half-finished sign-in is gone, and the password no longer helps for now.
    assert anon.get(OTP)["Location"] == reverse("accounts:login")
    assert post_login(anon, "admin").status_code == 429


@pytest.mark.django_db
def test_expired_and_absent_second_step_send_back_to_login(anon: Client) -> None:
    response = anon.get(OTP, follow=True)
    assert "请先输入用户名和密码登录" in response.content.decode()

    post_login(anon, "admin")
    session = anon.session
    session["renda_pending_login"]["at"] = int(time.time()) - 301
    session.save()
    response = anon.post(OTP, {"token": admin_code()}, follow=True)
    assert response.redirect_chain[0][0] == reverse("accounts:login")
    assert "验证时间已过" in response.content.decode()
    assert SESSION_KEY not in anon.session


@pytest.mark.django_db
def test_logged_in_but_unverified_admin_completes_otp_via_middleware() -> None:
    client = Client()
    client.force_login(admin())  # e.g. a session that never passed the second step
    response = client.get("/people/?q=x")
    assert response.status_code == 302
    assert response["Location"] == f"{OTP}?next=%2Fpeople%2F%3Fq%3Dx"
    # The account pages themselves also insist on the code first.
    assert client.get(reverse("accounts:security"))["Location"].startswith(OTP)
    assert client.get(reverse("accounts:password_change"))["Location"].startswith(OTP)
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'name="next" value="/people/?q=x"' in page.content.decode()
    response = client.post(OTP, {"token": admin_code(), "next": "/people/?q=x"})
    assert response["Location"] == "/people/?q=x"
    assert client.get(reverse("accounts:security")).status_code == 200


@pytest.mark.django_db
def test_admin_without_device_must_set_one_up(anon: Client) -> None:
    TOTPDevice.objects.filter(user=admin()).delete()
    response = post_login(anon, "admin")
    assert response["Location"] == SETUP
    assert anon.get(OTP)["Location"] == SETUP
    page = anon.get(SETUP)
    html = page.content.decode()
    assert "系统管理员账号必须启用两步验证" in html
    device = TOTPDevice.objects.get(user=admin(), confirmed=False)
    # The QR code is an inline SVG image (CSP allows data: images) ...
    match = re.search(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', html)
    assert match
    svg = base64.b64decode(match.group(1)).decode()
    assert svg.startswith("<svg")
    assert "<path" in svg
    # ... and the secret is also printed for manual entry.
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    assert secret[:4] + " " + secret[4:8] in html
    # Reloading keeps the same secret.
    anon.get(SETUP)
    assert TOTPDevice.objects.filter(user=admin()).count() == 1

    response = anon.post(
        SETUP, {"token": "000000" if code_for(device.bin_key) != "000000" else "111111"}
    )
    assert "验证码不正确" in response.content.decode()
    assert SESSION_KEY not in anon.session

    response = anon.post(SETUP, {"token": code_for(device.bin_key)})
    assert response["Location"] == reverse("web:workbench")
    device.refresh_from_db()
    assert device.confirmed
    assert anon.session[SESSION_KEY] == str(admin().pk)
    assert anon.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="otp_totp.totpdevice")
    assert event.actor_name == "admin"
    assert event.message == "启用两步验证"


@pytest.mark.django_db
def test_any_user_can_turn_two_step_on_and_off(anon: Client) -> None:
    post_login(anon, "deputy")
    page = anon.get(reverse("accounts:security")).content.decode()
    assert "未启用" in page
    assert reverse("accounts:otp_setup") in page

    html = anon.get(SETUP).content.decode()
    assert "系统管理员账号必须" not in html
    device = TOTPDevice.objects.get(user__username="deputy", confirmed=False)
    response = anon.post(SETUP, {"token": code_for(device.bin_key)})
    assert response["Location"] == reverse("accounts:security")
    page = anon.get(reverse("accounts:security")).content.decode()
    assert "已启用" in page
    assert "两步验证已启用" in page  # the success message

    # From now on the deputy's sign-in takes a code too.
    other = Client()
    assert post_login(other, "deputy")["Location"] == OTP
    assert SESSION_KEY not in other.session

    # Removing needs the password again.
    response = anon.post(reverse("accounts:otp_remove"), {"password": "wrong-Password-9"})
    assert response.status_code == 200
    assert "密码不正确" in response.content.decode()
    assert TOTPDevice.objects.filter(user__username="deputy").exists()
    response = anon.post(reverse("accounts:otp_remove"), {"password": "Demo-2026!"})
    assert response["Location"] == reverse("accounts:security")
    assert not TOTPDevice.objects.filter(user__username="deputy").exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.DELETE, actor_name="deputy", message="移除两步验证"
    ).exists()
    assert post_login(Client(), "deputy")["Location"] == reverse("web:workbench")


@pytest.mark.django_db
def test_admin_removing_the_device_must_bind_a_new_one(login) -> None:  # type: ignore[no-untyped-def]
    client = login("admin")
    page = client.get(reverse("accounts:security")).content.decode()
    assert "已启用" in page
    response = client.post(reverse("accounts:otp_remove"), {"password": "Demo-2026!"})
    assert response["Location"] == SETUP
    # Without a device the session is no longer verified: everything else waits for setup.
    assert client.get(reverse("web:workbench"))["Location"].startswith(OTP)
    assert client.get(OTP)["Location"].startswith(SETUP)
    assert client.get(SETUP).status_code == 200
    device = TOTPDevice.objects.get(user=admin(), confirmed=False)
    assert device.key != DEMO_ADMIN_TOTP_HEX
    response = client.post(SETUP, {"token": code_for(device.bin_key)})
    assert response["Location"] == reverse("web:workbench")
    assert (
        client.session[DEVICE_ID_SESSION_KEY] == TOTPDevice.objects.get(user=admin()).persistent_id
    )


@pytest.mark.django_db
def test_setup_page_with_a_device_already_goes_to_security(login) -> None:  # type: ignore[no-untyped-def]
    client = login("admin")
    assert client.get(SETUP)["Location"] == reverse("accounts:security")
