"""In Chromium at phone size: the office publishes a material with an attachment, the deputy
finds it at the top of a large-type list and opens it, the office sees the receipt."""

from __future__ import annotations

from typing import Any

from renda.learning.models import Material, Receipt
from tests.browser.conftest import shot
from tests.browser.test_frame import sign_in
from tests.learning.conftest import PDF


def test_publish_read_and_receipt(page: Any, browser: Any, live_server: Any, tmp_path: Any) -> None:
    attachment = tmp_path / "代表法学习提纲.pdf"
    attachment.write_bytes(PDF)
    sign_in(page, "office")
    page.goto("/learning/manage/new/")
    page.fill("input[name=title]", "关于认真学习新修订代表法的通知")
    page.fill(
        "textarea[name=body]", "各位代表:\n请于本月底前学习新修订的代表法全文,附件为学习提纲。"
    )
    # A file that only pretends to be a PDF: refused in Chinese, the text typed is kept.
    fake = tmp_path / "冒充的文件.pdf"
    fake.write_bytes(b"MZ not a pdf")
    page.set_input_files("input[name=attachment]", str(fake))
    page.click("button:has-text('发布并通知代表')")
    page.wait_for_selector(".field-error")
    assert "附件只能是 PDF、Word 文档" in page.inner_text("main")
    assert page.input_value("input[name=title]") == "关于认真学习新修订代表法的通知"
    shot(page, "learning-publish-error-phone")
    page.set_input_files("input[name=attachment]", str(attachment))
    shot(page, "learning-publish-phone")
    page.click("button:has-text('发布并通知代表')")
    page.wait_for_url("**/learning/manage/*/")
    material = Material.objects.get()
    assert "已发布" in page.inner_text("main")

    deputy = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", base_url=live_server.url
    )
    phone = deputy.new_page()
    sign_in(phone, "deputy")
    phone.wait_for_url("**/workbench/")
    phone.goto("/learning/")
    assert "未读" in phone.inner_text("main")
    shot(phone, "learning-list-phone")
    phone.click("text=关于认真学习新修订代表法的通知")
    phone.wait_for_url(f"**/learning/{material.pk}/")
    assert "学习提纲" in phone.inner_text("main")
    shot(phone, "learning-read-phone")
    # The large-text mode many elderly deputies use.
    phone.goto("/learning/")
    phone.click("button:has-text('大字模式')")
    phone.wait_for_selector("html.large-text")
    assert "已读" in phone.inner_text("main")
    shot(phone, "learning-list-large-text-phone")
    deputy.close()
    assert Receipt.objects.filter(material=material, read_at__isnull=False).count() == 1

    page.goto(f"/learning/manage/{material.pk}/")
    assert f"1 / {material.audience_count}" in page.inner_text("main")
    shot(page, "learning-receipts-phone")
