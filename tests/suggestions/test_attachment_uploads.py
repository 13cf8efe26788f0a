"""Suggestion attachments through the real form (issue 10, item 7): PDFs that run scripts
or carry files are refused with a Chinese reason; photos are re-encoded; clean files pass."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from renda.core.models import Congress
from renda.deputies.models import Mandate
from renda.suggestions import selectors
from renda.suggestions.models import Suggestion, SuggestionAttachment
from tests.core import upload_samples as samples

pytestmark = pytest.mark.django_db


def _post(client: Client, mandate: Mandate, *files: SimpleUploadedFile) -> Any:
    category = selectors.categories(Congress.objects.get(pk=mandate.term.congress_id)).first()
    assert category is not None
    return client.post(
        reverse("suggestions:new"),
        {
            "mandate": str(mandate.pk),
            "kind": "suggestion",
            "session": "0",
            "title": "关于增设农村公路护栏的建议",
            "content": "临水路段缺少护栏,建议增设。",
            "category": str(category.pk),
            "submission_key": "uploads-1",
            "action": "submit",
            "attachments": list(files),
        },
    )


def _pdf(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


@pytest.mark.parametrize(
    ("sample", "reason"),
    [
        (samples.pdf_with_open_action_js, "含有脚本或打开时自动执行的动作"),
        (samples.pdf_with_js_in_object_stream, "含有脚本或打开时自动执行的动作"),
        (samples.pdf_with_embedded_file, "内嵌了其他文件"),
    ],
)
def test_hostile_pdfs_are_refused(
    login: Callable[[str], Client], county_mandate: Mandate, sample: Any, reason: str
) -> None:
    response = _post(login("deputy"), county_mandate, _pdf("材料.pdf", sample()))
    assert response.status_code == 200
    body = response.content.decode()
    assert f"“材料.pdf”{reason}" in body
    assert "打印为 PDF" in body
    assert not Suggestion.objects.filter(mandate=county_mandate).exists()


def test_png_header_with_html_is_refused(
    login: Callable[[str], Client], county_mandate: Mandate
) -> None:
    fake = SimpleUploadedFile("图.png", samples.png_then_html(), content_type="image/png")
    response = _post(login("deputy"), county_mandate, fake)
    assert response.status_code == 200
    assert "“图.png”无法作为图片读取" in response.content.decode()


def test_clean_pdf_and_photo_are_accepted_and_served_as_what_they_are(
    login: Callable[[str], Client], county_mandate: Mandate
) -> None:
    client = login("deputy")
    photo = SimpleUploadedFile("现场.jpg", samples.jpeg_then_html(), content_type="image/jpeg")
    response = _post(client, county_mandate, _pdf("材料.pdf", samples.pdf()), photo)
    assert response.status_code == 302
    files = {a.content_type: a for a in SuggestionAttachment.objects.all()}
    assert set(files) == {"application/pdf", "image/jpeg"}
    with files["image/jpeg"].file.open("rb") as handle:
        assert b"<html" not in handle.read()
    served = client.get(reverse("suggestions:attachment", args=[files["application/pdf"].pk]))
    assert served.status_code == 200
    assert served["Content-Type"] == "application/pdf"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == samples.pdf()  # type: ignore[attr-defined]
