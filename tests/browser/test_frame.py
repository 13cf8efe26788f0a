"""What a person sees in Chromium: every demo role signs in and lands on its workbench, the
lockout message, the large-text mode that stays switched on, and the phone-sized screens."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from django_otp.oath import totp

from renda.core.models import AuditAction, AuditEvent
from renda.seed.world import DEMO_ADMIN_TOTP_HEX, DEMO_PASSWORD
from tests.browser.conftest import DESKTOP, shot

ROLE_LABELS = {
    "admin": "系统管理员",
    "office": "人大机关工作人员",
    "county_office": "人大机关工作人员",
    "township_office": "人大机关工作人员",
    "deputy": "人大代表",
    "station": "联络站管理员",
    "unit": "承办单位工作人员",
    "leader": "常委会组成人员",
    "citizen": "群众",
}
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def sign_in(page: Any, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]:has-text('登录')")
    if username == "admin":
        page.wait_for_url("**/accounts/otp/**")
        page.fill("input[name=token]", f"{totp(bytes.fromhex(DEMO_ADMIN_TOTP_HEX)):06d}")
        page.press("input[name=token]", "Enter")


@pytest.mark.parametrize("username", list(ROLE_LABELS))
def test_every_demo_role_lands_on_its_workbench(page: Any, username: str) -> None:
    sign_in(page, username)
    page.wait_for_url("**/workbench/")
    body = page.inner_text("main")
    assert "工作台" in page.title() or "工作台" in body
    assert ROLE_LABELS[username] in body


def test_six_wrong_passwords_lock_the_account(page: Any) -> None:
    for attempt in range(6):
        sign_in(page, "office", password=f"Wrong-pass-{attempt}")
    text = page.inner_text("main")
    assert "锁定" in text
    assert "后再试" in text
    assert page.input_value("input[name=username]") == "office"
    # Even the right password is refused while locked.
    sign_in(page, "office")
    assert "/workbench/" not in page.url
    assert (
        AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, actor_name="office").count() >= 5
    )
    shot(page, "lockout-phone")


def test_large_text_mode_stays_on(page: Any, browser: Any, live_server: Any) -> None:
    sign_in(page, "deputy")
    page.wait_for_url("**/workbench/")
    page.click("button:has-text('大字模式')")
    page.wait_for_selector("html.large-text")
    page.reload()
    assert "large-text" in (page.get_attribute("html", "class") or "")
    # A new browser (another device) gets it back from the account after signing in.
    other = browser.new_context(viewport=DESKTOP, base_url=live_server.url)
    second = other.new_page()
    sign_in(second, "deputy")
    second.wait_for_url("**/workbench/")
    assert "large-text" in (second.get_attribute("html", "class") or "")
    other.close()


def test_phone_screenshots_of_home_and_workbench(page: Any) -> None:
    page.goto("/")
    assert "智慧人大" in page.inner_text("body")
    home = shot(page, "home-phone")
    sign_in(page, "office")
    page.wait_for_url("**/workbench/")
    page.wait_for_timeout(500)  # let the chart draw
    workbench = shot(page, "workbench-phone")
    # No horizontal scrolling on a 390 px wide phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    if os.environ.get("RENDA_UPDATE_SCREENSHOTS"):
        DOCS.mkdir(parents=True, exist_ok=True)
        for path in (home, workbench):
            shutil.copy(path, DOCS / path.name)
