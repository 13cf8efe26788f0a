"""Publishing a material: the audience fixed as receipts, the audience told in-app, and bad
input refused in Chinese with what was typed kept."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from renda.core.errors import InvalidInput, NotPermitted
from renda.core.models import AuditAction, AuditEvent, User
from renda.deputies import services as deputy_services
from renda.deputies.models import DeputyGroup, Mandate, MandateStatus
from renda.learning.models import Audience, Material, Receipt
from renda.notifications.models import Notification
from tests.learning.conftest import CITY, COUNTY, PDF, PNG, congress, serving_people

pytestmark = pytest.mark.django_db


def test_congress_audience_gets_receipts_and_messages(publish: Callable[..., Material]) -> None:
    material = publish("office", CITY)
    people = serving_people(CITY)
    assert material.audience_count == len(people) > 0
    assert (
        set(Receipt.objects.filter(material=material).values_list("person_id", flat=True)) == people
    )
    users = set(User.objects.filter(person_id__in=people).values_list("pk", flat=True))
    messages = Notification.objects.filter(kind="study_material", url=f"/learning/{material.pk}/")
    assert set(messages.values_list("recipient_id", flat=True)) == users
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="learning.material", object_id=str(material.pk)
    ).exists()


def test_subtree_audience_counts_each_person_once(publish: Callable[..., Material]) -> None:
    material = publish("office", CITY, audience=Audience.CONGRESS_AND_BELOW)
    everyone = serving_people(CITY, subtree=True)
    assert everyone > serving_people(CITY) | serving_people(COUNTY)
    assert material.audience_count == len(everyone)
    assert (
        set(Receipt.objects.filter(material=material).values_list("person_id", flat=True))
        == everyone
    )
    # The demo deputy serves in the city and the county congress: one receipt.
    deputy = User.objects.get(username="deputy")
    assert Receipt.objects.filter(material=material, person_id=deputy.person_id).count() == 1
    assert Notification.objects.filter(recipient=deputy, kind="study_material").count() == 1


def test_county_audience_leaves_out_ended_mandates(publish: Callable[..., Material]) -> None:
    ended = (
        Mandate.objects.filter(region_id=COUNTY).exclude(person__user__username="deputy").first()
    )
    assert ended is not None
    deputy_services.change_status(
        actor=None,
        mandate=ended,
        to_status=MandateStatus.RESIGNED,
        effective_on=datetime.date(2025, 1, 2),
        reason="辞职",
    )
    material = publish("county_office", COUNTY)
    assert not Receipt.objects.filter(material=material, person_id=ended.person_id).exists()
    assert material.audience_count == len(serving_people(COUNTY))


def test_group_audience(publish: Callable[..., Material]) -> None:
    county = congress(COUNTY)
    group = DeputyGroup.objects.create(congress=county, name="第一代表小组", region_id=COUNTY)
    members = list(Mandate.objects.filter(region_id=COUNTY).order_by("id")[:2])
    Mandate.objects.filter(pk__in=[m.pk for m in members]).update(group=group)
    material = publish("county_office", COUNTY, audience=Audience.GROUP, group=group)
    assert material.audience_count == 2
    assert set(Receipt.objects.filter(material=material).values_list("mandate_id", flat=True)) == {
        m.pk for m in members
    }
    # A group of another congress is refused.
    with pytest.raises(InvalidInput) as exc:
        publish("office", CITY, audience=Audience.GROUP, group=group)
    assert "不属于" in exc.value.field_errors["group"][0]
    # A group audience without a group, and an empty group.
    with pytest.raises(InvalidInput) as exc:
        publish("county_office", COUNTY, audience=Audience.GROUP)
    assert exc.value.field_errors["group"]
    empty = DeputyGroup.objects.create(congress=county, name="空小组", region_id=COUNTY)
    with pytest.raises(InvalidInput) as exc:
        publish("county_office", COUNTY, audience=Audience.GROUP, group=empty)
    assert "没有在任代表" in exc.value.field_errors["audience"][0]


def test_outside_jurisdiction_is_refused(publish: Callable[..., Material]) -> None:
    with pytest.raises(NotPermitted):
        publish("county_office", CITY)
    with pytest.raises(NotPermitted):
        publish("deputy", COUNTY)
    assert not Material.objects.exists()


def test_blank_fields_are_reported(publish: Callable[..., Material]) -> None:
    with pytest.raises(InvalidInput) as exc:
        publish("office", CITY, title=" ", body="")
    assert set(exc.value.field_errors) == {"title", "body"}


def upload(content: bytes, name: str, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_attachment_type_is_checked_by_content(publish: Callable[..., Material]) -> None:
    material = publish("office", CITY, attachment=upload(PDF, "学习提纲.pdf"))
    assert material.attachment_type == "application/pdf"
    assert material.attachment_name == "学习提纲.pdf"
    assert material.attachment.name.startswith("learning/")
    image = publish("office", CITY, attachment=upload(PNG, "图解.JPG", "image/jpeg"))
    # The content decides, not the name or the browser's claim.
    assert (image.attachment_type, image.attachment_name) == ("image/png", "图解.png")
    for content, name in ((b"MZ\x90\x00" + b"\x00" * 100, "病毒.pdf"), (b"hello", "说明.docx")):
        with pytest.raises(InvalidInput) as exc:
            publish("office", CITY, attachment=upload(content, name))
        assert "PDF、Word" in exc.value.field_errors["attachment"][0]


def test_docx_is_accepted(publish: Callable[..., Material], tmp_path: Any) -> None:
    import zipfile

    path = tmp_path / "a.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    material = publish("office", CITY, attachment=upload(path.read_bytes(), "通知.docx"))
    assert material.attachment_type.endswith("wordprocessingml.document")
    # A zip that is not a Word document is refused.
    other = tmp_path / "b.docx"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("readme.txt", "x")
    with pytest.raises(InvalidInput):
        publish("office", CITY, attachment=upload(other.read_bytes(), "假文档.docx"))


def test_attachment_over_20_mb_is_refused(publish: Callable[..., Material]) -> None:
    big = upload(PDF + b"0" * (20 * 1024 * 1024), "太大.pdf")
    with pytest.raises(InvalidInput) as exc:
        publish("office", CITY, attachment=big)
    assert "20 MB" in exc.value.field_errors["attachment"][0]
    assert not Material.objects.exists()


def test_form_keeps_input_and_shows_chinese_errors(login: Callable[..., Any]) -> None:
    client = login("office")
    page = client.get("/learning/manage/new/")
    assert page.status_code == 200
    city = congress(CITY)
    response = client.post(
        "/learning/manage/new/",
        {
            "congress": str(city.pk),
            "title": "关于学习宪法的通知",
            "body": "全文见附件。",
            "audience": Audience.CONGRESS,
            "attachment": upload(b"not really a pdf", "宪法.pdf"),
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "附件只能是 PDF、Word 文档" in html
    assert "关于学习宪法的通知" in html
    assert "全文见附件。" in html
    assert not Material.objects.exists()
    # Fixed and sent again: published, and the office lands on the receipts page.
    response = client.post(
        "/learning/manage/new/",
        {
            "congress": str(city.pk),
            "title": "关于学习宪法的通知",
            "body": "全文见附件。",
            "audience": Audience.CONGRESS,
            "attachment": upload(PDF, "宪法.pdf"),
        },
    )
    material = Material.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/learning/manage/{material.pk}/"


def test_form_refuses_a_congress_outside_jurisdiction(login: Callable[..., Any]) -> None:
    client = login("county_office")
    response = client.post(
        "/learning/manage/new/",
        {
            "congress": str(congress(CITY).pk),
            "title": "越权",
            "body": "x",
            "audience": Audience.CONGRESS,
        },
    )
    assert response.status_code == 422
    assert "请选择您管辖范围内的人大" in response.content.decode()
    assert not Material.objects.exists()


def test_publish_page_is_for_offices(login: Callable[..., Any]) -> None:
    for username in ("deputy", "station", "leader", "citizen"):
        assert login(username).get("/learning/manage/new/").status_code == 403
        assert login(username).get("/learning/manage/").status_code == 403
