"""Reading: the deputy's list (unread first), the read receipt recorded once, the attachment
served only to those who may see the material; the office's receipts page, reminders at most
once a day, and the audited export of the non-readers."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from renda.core.models import AuditAction, AuditEvent, User
from renda.learning import services
from renda.learning.models import Material, Receipt
from renda.notifications.models import Notification
from tests.learning.conftest import CITY, COUNTY, PDF

pytestmark = pytest.mark.django_db


def receipt(material: Material, username: str) -> Receipt:
    return Receipt.objects.get(material=material, person__user__username=username)


def test_list_shows_unread_first(
    publish: Callable[..., Material], login: Callable[..., Any]
) -> None:
    first = publish("office", CITY, title="第一份资料")
    second = publish("county_office", COUNTY, title="第二份资料")
    client = login("deputy")
    client.get(f"/learning/{second.pk}/")
    html = client.get("/learning/").content.decode()
    assert html.index("第一份资料") < html.index("第二份资料")
    assert "您有 1 份资料还没有阅读" in html
    assert first.pk != second.pk


def test_first_opening_is_recorded_once(
    publish: Callable[..., Material], login: Callable[..., Any]
) -> None:
    material = publish("office", CITY)
    client = login("deputy")
    assert receipt(material, "deputy").read_at is None
    response = client.get(f"/learning/{material.pk}/")
    assert response.status_code == 200
    assert "请各位代表认真学习" in response.content.decode()
    first = receipt(material, "deputy").read_at
    assert first is not None
    Receipt.objects.filter(pk=receipt(material, "deputy").pk).update(
        read_at=first - datetime.timedelta(hours=1)
    )
    earlier = receipt(material, "deputy").read_at
    client.get(f"/learning/{material.pk}/")
    assert receipt(material, "deputy").read_at == earlier
    # The office looking at it is not a reader.
    login("office").get(f"/learning/{material.pk}/")
    assert Receipt.objects.filter(material=material, read_at__isnull=False).count() == 1


def test_attachment_is_served_only_through_the_policy(
    publish: Callable[..., Material], login: Callable[..., Any]
) -> None:
    material = publish("office", CITY, attachment=SimpleUploadedFile("提纲.pdf", PDF))
    response = login("deputy").get(f"/learning/{material.pk}/attachment/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "inline" in response["Content-Disposition"]
    assert receipt(material, "deputy").read_at is not None
    assert login("office").get(f"/learning/{material.pk}/attachment/").status_code == 200
    for username in ("county_office", "station", "citizen", "unit"):
        assert login(username).get(f"/learning/{material.pk}/attachment/").status_code == 404
    # A deputy of another county's congress is not an addressee.
    outsider = (
        User.objects.filter(person__mandates__region_id="430405000000")
        .exclude(username="deputy")
        .first()
    )
    assert outsider is not None
    User.objects.filter(pk=outsider.pk).update(must_change_password=False)
    assert login(outsider.username).get(f"/learning/{material.pk}/attachment/").status_code == 404
    assert login(outsider.username).get(f"/learning/{material.pk}/").status_code == 404


def test_receipts_page_counts_readers(
    publish: Callable[..., Material], login: Callable[..., Any]
) -> None:
    material = publish("county_office", COUNTY)
    login("deputy").get(f"/learning/{material.pk}/")
    client = login("county_office")
    html = client.get(f"/learning/manage/{material.pk}/").content.decode()
    assert f"1 / {material.audience_count}" in html
    deputy = User.objects.get(username="deputy")
    read_html = client.get(f"/learning/manage/{material.pk}/?show=read").content.decode()
    assert deputy.person is not None
    assert deputy.person.name in read_html
    unread_html = client.get(f"/learning/manage/{material.pk}/?show=unread").content.decode()
    assert deputy.person.name not in unread_html
    other = (
        Receipt.objects.filter(material=material, read_at__isnull=True)
        .select_related("person")
        .first()
    )
    assert other is not None
    assert other.person.name in unread_html
    # The office's list shows the same figure.
    assert f"1 / {material.audience_count}" in client.get("/learning/manage/").content.decode()


def test_remind_once_a_day(publish: Callable[..., Material], login: Callable[..., Any]) -> None:
    material = publish("county_office", COUNTY)
    login("deputy").get(f"/learning/{material.pk}/")
    unread_users = set(
        User.objects.filter(
            person__in=Receipt.objects.filter(material=material, read_at__isnull=True).values(
                "person"
            )
        ).values_list("pk", flat=True)
    )
    assert unread_users
    office = User.objects.get(username="county_office")
    before = Notification.objects.filter(kind="study_material").count()
    assert services.remind_unread(actor=office, material=material) == len(unread_users)
    reminders = Notification.objects.filter(kind="study_material").order_by("-id")[
        : len(unread_users)
    ]
    assert {n.recipient_id for n in reminders} == unread_users
    assert all(n.title.startswith("请阅读") for n in reminders)
    # Again the same day: nobody is reminded twice.
    after_first = Notification.objects.filter(kind="study_material").count()
    assert after_first == before + len(unread_users)
    assert services.remind_unread(actor=office, material=material) == 0
    assert Notification.objects.filter(kind="study_material").count() == after_first
    # The next day they may be reminded again.
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Receipt.objects.filter(material=material).exclude(reminded_on=None).update(
        reminded_on=yesterday
    )
    assert services.remind_unread(actor=office, material=material) == len(unread_users)
    assert Receipt.objects.filter(material=material, reminders=2).count() == len(unread_users)
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.UPDATE, object_type="learning.material", object_id=str(material.pk)
        ).count()
        == 2
    )


def test_remind_page_and_permissions(
    publish: Callable[..., Material], login: Callable[..., Any]
) -> None:
    material = publish("county_office", COUNTY)
    response = login("county_office").post(f"/learning/manage/{material.pk}/remind/", follow=True)
    assert "已向" in response.content.decode()
    response = login("county_office").post(f"/learning/manage/{material.pk}/remind/", follow=True)
    assert "今天已经提醒过" in response.content.decode()
    assert login("deputy").post(f"/learning/manage/{material.pk}/remind/").status_code == 403
    assert (
        login("township_office").post(f"/learning/manage/{material.pk}/remind/").status_code == 404
    )


def test_export_unread_is_audited(
    publish: Callable[..., Material], login: Callable[..., Any]
) -> None:
    material = publish("county_office", COUNTY)
    login("deputy").get(f"/learning/{material.pk}/")
    response = login("county_office").post(f"/learning/manage/{material.pk}/export-unread/")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "姓名"
    names = {row[0] for row in rows[1:]}
    unread = set(
        Receipt.objects.filter(material=material, read_at__isnull=True).values_list(
            "person__name", flat=True
        )
    )
    assert names == unread
    deputy = User.objects.get(username="deputy")
    assert deputy.person is not None
    assert deputy.person.name not in names
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, object_type="learning.receipt")
    assert event.after is not None
    assert event.after["rows"] == len(unread)
    assert login("deputy").post(f"/learning/manage/{material.pk}/export-unread/").status_code == 403
    assert login("office").post(f"/learning/manage/{material.pk}/export-unread/").status_code == 200


def test_workbench_panel_and_notification_kind(
    publish: Callable[..., Material], login: Callable[..., Any]
) -> None:
    from renda.notifications import kinds

    assert str(kinds.get("study_material").label) == "学习资料"
    material = publish("office", CITY, title="关于开展代表培训的通知")
    client = login("deputy")
    html = client.get("/workbench/").content.decode()
    assert "您有 1 份学习资料还没有阅读" in html
    assert f"/learning/{material.pk}/" in html
    client.get(f"/learning/{material.pk}/")
    assert "学习资料都已阅读" in client.get("/workbench/").content.decode()
    # The message in the inbox leads to the material.
    message = Notification.objects.get(recipient__username="deputy", kind="study_material")
    assert message.url == f"/learning/{material.pk}/"


def test_missing_attachment_file_is_not_found(
    publish: Callable[..., Material], login: Callable[..., Any]
) -> None:
    material = publish("office", CITY, attachment=SimpleUploadedFile("提纲.pdf", PDF))
    material.attachment.storage.delete(material.attachment.name)
    response = login("deputy").get(f"/learning/{material.pk}/attachment/")
    assert response.status_code == 404


def test_manage_list_filters_by_title(
    publish: Callable[..., Material], login: Callable[..., Any]
) -> None:
    publish("office", CITY, title="宪法学习资料")
    publish("office", CITY, title="预算审查通知")
    client = login("office")
    html = client.get("/learning/manage/", {"q": "宪法"}, HTTP_HX_REQUEST="true").content.decode()
    assert "宪法学习资料" in html
    assert "预算审查通知" not in html
    assert "<html" not in html
    # The county office sees neither: both belong to the city congress.
    assert "宪法学习资料" not in login("county_office").get("/learning/manage/").content.decode()
