"""Study-material attachments through the real publish form (issue 10, item 7)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from renda.learning.models import Audience, Material
from tests.core import upload_samples as samples
from tests.learning.conftest import CITY, congress

pytestmark = pytest.mark.django_db


def _publish(client: Any, name: str, data: bytes) -> Any:
    return client.post(
        "/learning/manage/new/",
        {
            "congress": str(congress(CITY).pk),
            "title": "关于学习宪法的通知",
            "body": "全文见附件。",
            "audience": Audience.CONGRESS,
            "attachment": SimpleUploadedFile(name, data),
        },
    )


@pytest.mark.parametrize(
    ("sample", "reason"),
    [
        (samples.pdf_with_open_action_js, "含有脚本"),
        (samples.pdf_with_js_in_object_stream, "含有脚本"),
        (samples.pdf_with_embedded_file, "内嵌了其他文件"),
        (samples.png_then_html, "无法作为图片读取"),
    ],
)
def test_hostile_attachments_are_refused(
    login: Callable[..., Any], sample: Any, reason: str
) -> None:
    response = _publish(login("office"), "宪法.pdf", sample())
    assert response.status_code == 422
    html = response.content.decode()
    assert reason in html
    assert "关于学习宪法的通知" in html  # the input is kept
    assert not Material.objects.exists()


def test_clean_pdf_is_published_and_served_inline(login: Callable[..., Any]) -> None:
    client = login("office")
    assert _publish(client, "宪法.pdf", samples.pdf()).status_code == 302
    material = Material.objects.get()
    assert material.attachment_size == len(samples.pdf())
    served = client.get(f"/learning/{material.pk}/attachment/")
    assert served.status_code == 200
    assert served["Content-Type"] == "application/pdf"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Disposition"].startswith("inline")


def test_image_attachment_is_reencoded(login: Callable[..., Any]) -> None:
    data = samples.jpeg(40, 20, exif=samples.located_exif(orientation=6)) + samples.HTML
    assert _publish(login("office"), "图解.jpg", data).status_code == 302
    material = Material.objects.get()
    with material.attachment.open("rb") as handle:
        kept = handle.read()
    assert material.attachment_size == len(kept)
    assert samples.HTML not in kept
    with Image.open(io.BytesIO(kept)) as image:
        assert not image.getexif()
        assert image.size == (20, 40)
