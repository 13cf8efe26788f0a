"""Duty-record photos through the real report form (issue 10, item 7): what is stored is a
re-encoded picture, never the bytes that were sent."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from renda.deputies.models import Mandate
from renda.duties.models import DutyRecord, DutyRecordPhoto
from tests.core import upload_samples as samples

pytestmark = pytest.mark.django_db


def _report(client: Client, mandate: Mandate, *photos: SimpleUploadedFile) -> Any:
    return client.post(
        "/duties/report/",
        {
            "mandate": mandate.pk,
            "kind": "reception",
            "occurred_on": "2026-11-20",
            "content": "接待选民 3 人",
            "is_public": "on",
            "submission_key": "uploads",
            "photos": list(photos),
        },
    )


def _stored(photo: DutyRecordPhoto) -> bytes:
    with photo.image.open("rb") as handle:
        return bytes(handle.read())


def test_png_header_with_html_is_refused_by_the_form(
    login: Callable[[str], Client], county_mandate: Mandate
) -> None:
    fake = SimpleUploadedFile("现场.png", samples.png_then_html(), content_type="image/png")
    response = _report(login("deputy"), county_mandate, fake)
    assert response.status_code == 200
    assert "“现场.png”无法作为图片读取" in response.content.decode()
    assert not DutyRecord.objects.filter(mandate=county_mandate).exists()


def test_jpeg_with_appended_zip_is_stored_without_it(
    login: Callable[[str], Client], county_mandate: Mandate
) -> None:
    sent = SimpleUploadedFile("现场.jpg", samples.jpeg_then_zip(), content_type="image/jpeg")
    assert _report(login("deputy"), county_mandate, sent).status_code == 302
    photo = DutyRecordPhoto.objects.get(record__mandate=county_mandate)
    kept = _stored(photo)
    assert b"PK\x03\x04" not in kept
    assert b"<html" not in kept
    assert photo.size == len(kept)
    assert photo.content_type == "image/jpeg"


def test_gps_position_is_not_stored_and_the_photo_is_upright(
    login: Callable[[str], Client], county_mandate: Mandate
) -> None:
    data = samples.jpeg(40, 20, exif=samples.located_exif(orientation=6))
    sent = SimpleUploadedFile("IMG_0001.jpg", data, content_type="image/jpeg")
    client = login("deputy")
    assert _report(client, county_mandate, sent).status_code == 302
    photo = DutyRecordPhoto.objects.get(record__mandate=county_mandate)
    kept = _stored(photo)
    assert b"Exif" not in kept
    with Image.open(io.BytesIO(kept)) as image:
        assert not image.getexif().get_ifd(samples.GPS_IFD)
        assert image.size == (20, 40)
    # Served as what it is, never sniffed into something else.
    served = client.get(f"/duties/photos/{photo.pk}/")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == kept  # type: ignore[attr-defined]


def test_a_valid_photo_is_still_accepted(
    login: Callable[[str], Client], county_mandate: Mandate
) -> None:
    png = SimpleUploadedFile("b.png", samples.png(), content_type="image/png")
    assert _report(login("deputy"), county_mandate, png).status_code == 302
    photo = DutyRecordPhoto.objects.get(record__mandate=county_mandate)
    with Image.open(io.BytesIO(_stored(photo))) as image:
        assert image.format == "PNG"
        assert image.size == (32, 32)
