"""Duty records: a deputy's own report from a phone, an entry on a deputy's behalf, the
station's confirmation or return, and the records other modules write."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from renda.core.errors import IllegalTransition, InvalidInput, NotFound, NotPermitted
from renda.core.models import AuditEvent, User
from renda.deputies.models import Mandate
from renda.duties import services
from renda.duties.models import DutyRecord, DutyRecordEvent, RecordSource, RecordStatus
from renda.notifications.models import Notification
from tests.duties.conftest import photo_upload, record_input

pytestmark = pytest.mark.django_db


def _report(mandate: Mandate, by: str = "deputy", **overrides: Any) -> DutyRecord:
    return services.report(
        actor=User.objects.get(username=by), mandate=mandate, data=record_input(**overrides)
    )


def test_self_report_waits_for_the_station_and_tells_it(
    county_mandate: Mandate, station_org: Any
) -> None:
    record = _report(county_mandate)
    assert record.status == RecordStatus.SUBMITTED
    assert record.source == RecordSource.SELF
    assert record.station == station_org
    assert record.title == "接待选民"  # an empty title falls back to the kind
    assert Notification.objects.filter(recipient__username="station", kind="duty_review").exists()
    assert DutyRecordEvent.objects.filter(record=record, to_status=RecordStatus.SUBMITTED).exists()
    assert AuditEvent.objects.filter(
        object_type="duties.dutyrecord", object_id=str(record.pk)
    ).exists()


def test_report_without_content_or_in_the_future_is_refused(county_mandate: Mandate) -> None:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(InvalidInput) as caught:
        _report(county_mandate, content="  ", occurred_on=tomorrow)
    assert caught.value.field_errors["content"] == ["请填写履职内容:做了什么、在哪里、有什么结果。"]
    assert caught.value.field_errors["occurred_on"] == ["履职日期不能晚于今天。"]
    assert not DutyRecord.objects.filter(mandate=county_mandate).exists()


def test_report_form_keeps_what_was_typed(
    login: Callable[[str], Client], county_mandate: Mandate
) -> None:
    response = login("deputy").post(
        "/duties/report/",
        {
            "mandate": county_mandate.pk,
            "kind": "survey",
            "occurred_on": "2026-01-02",
            "title": "村道调研",
            "content": "",
            "is_public": "on",
            "submission_key": "k1",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "请填写履职内容" in body
    assert 'value="村道调研"' in body
    assert not DutyRecord.objects.filter(mandate=county_mandate).exists()


def test_report_with_photos_from_a_phone(
    login: Callable[[str], Client], county_mandate: Mandate
) -> None:
    response = login("deputy").post(
        "/duties/report/",
        {
            "mandate": county_mandate.pk,
            "kind": "reception",
            "occurred_on": "2026-11-20",
            "content": "接待选民 3 人",
            "is_public": "on",
            "submission_key": "abc",
            "photos": [photo_upload("a.jpg"), photo_upload("b.png", "PNG")],
        },
    )
    assert response.status_code == 302
    record = DutyRecord.objects.get(mandate=county_mandate)
    photos = list(record.photos.all())
    assert [p.content_type for p in photos] == ["image/jpeg", "image/png"]
    assert login("deputy").get(f"/duties/photos/{photos[0].pk}/").status_code == 200
    assert login("station").get(f"/duties/photos/{photos[0].pk}/").status_code == 200
    assert login("unit").get(f"/duties/photos/{photos[0].pk}/").status_code == 404


def test_forbidden_and_oversized_photos_are_refused(county_mandate: Mandate, settings: Any) -> None:
    fake = SimpleUploadedFile("virus.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    with pytest.raises(InvalidInput) as caught:
        services.report(
            actor=User.objects.get(username="deputy"),
            mandate=county_mandate,
            data=record_input(),
            photos=[fake],
        )
    assert caught.value.field_errors["photos"] == ["“virus.jpg”不是 JPG、PNG 或 WebP 格式的照片。"]
    big = photo_upload("big.jpg")
    big.size = services.PHOTO_BYTES_MAX + 1
    with pytest.raises(InvalidInput) as caught:
        services.report(
            actor=User.objects.get(username="deputy"),
            mandate=county_mandate,
            data=record_input(),
            photos=[big],
        )
    assert "超过 5 MB" in caught.value.field_errors["photos"][0]
    assert not DutyRecord.objects.filter(mandate=county_mandate).exists()


def test_double_submit_creates_one_record(county_mandate: Mandate) -> None:
    deputy = User.objects.get(username="deputy")
    first = services.report(
        actor=deputy, mandate=county_mandate, data=record_input(), submission_key="same"
    )
    second = services.report(
        actor=deputy, mandate=county_mandate, data=record_input(), submission_key="same"
    )
    assert first.pk == second.pk
    assert DutyRecord.objects.filter(mandate=county_mandate).count() == 1


def test_station_enters_on_behalf_and_the_record_says_so(
    county_mandate: Mandate, login: Callable[[str], Client]
) -> None:
    record = _report(county_mandate, by="station")
    assert record.source == RecordSource.PROXY
    assert record.entered_by == User.objects.get(username="station")
    page = login("deputy").get(f"/duties/records/{record.pk}/").content.decode()
    assert "联络站代录" in page
    assert "代录" in page


def test_station_cannot_enter_for_a_deputy_it_does_not_serve() -> None:
    other = Mandate.objects.filter(region_id="430405000000").first()
    assert other is not None
    with pytest.raises(NotPermitted):
        _report(other, by="station")


def test_deputy_cannot_report_for_another_deputy(county_mandate: Mandate) -> None:
    other = Mandate.objects.filter(region_id="430421000000").exclude(pk=county_mandate.pk).first()
    assert other is not None
    with pytest.raises(NotPermitted):
        _report(other, by="deputy")


def test_station_confirms_and_points_are_rescored(
    county_mandate: Mandate, django_capture_on_commit_callbacks: Any
) -> None:
    from renda.points.models import PointEntry

    record = _report(county_mandate)
    with django_capture_on_commit_callbacks(execute=True):
        services.review(
            actor=User.objects.get(username="station"), record=record, decision="confirm"
        )
    record.refresh_from_db()
    assert record.status == RecordStatus.CONFIRMED
    assert record.reviewed_by.username == "station"  # type: ignore[union-attr]
    assert PointEntry.objects.filter(record=record).exists()
    assert Notification.objects.filter(
        recipient__username="deputy", title__startswith="履职记录已确认"
    ).exists()
    with pytest.raises(IllegalTransition) as caught:
        services.review(
            actor=User.objects.get(username="station"),
            record=record,
            decision="return",
            comment="再看看",
        )
    assert caught.value.message == "当前状态为“已确认”,不能执行“退回”。"


def test_return_needs_a_reason_then_resubmit(county_mandate: Mandate) -> None:
    record = _report(county_mandate)
    station = User.objects.get(username="station")
    with pytest.raises(InvalidInput):
        services.review(actor=station, record=record, decision="return", comment=" ")
    services.review(actor=station, record=record, decision="return", comment="请补充接待人数")
    record.refresh_from_db()
    assert record.status == RecordStatus.RETURNED
    services.resubmit(
        actor=User.objects.get(username="deputy"),
        record=record,
        data=record_input(content="接待选民 6 人"),
    )
    record.refresh_from_db()
    assert record.status == RecordStatus.SUBMITTED
    assert list(record.events.values_list("to_status", flat=True)) == [
        "submitted",
        "returned",
        "submitted",
    ]


def test_unit_cannot_review_and_sees_nothing(county_mandate: Mandate) -> None:
    record = _report(county_mandate)
    with pytest.raises(NotFound):
        services.review(actor=User.objects.get(username="unit"), record=record, decision="confirm")


def test_review_page_confirms_and_moves_to_the_next(
    county_mandate: Mandate, login: Callable[[str], Client]
) -> None:
    record = _report(county_mandate)
    client = login("station")
    assert "待确认" in client.get("/duties/review/").content.decode()
    response = client.post(f"/duties/records/{record.pk}/", {"decision": "return", "comment": ""})
    assert "退回时请写明原因" in response.content.decode()
    response = client.post(f"/duties/records/{record.pk}/", {"decision": "confirm"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == RecordStatus.CONFIRMED


def test_module_records_are_written_once(county_mandate: Mandate) -> None:
    kwargs: dict[str, Any] = {
        "mandate": county_mandate,
        "kind": "suggestion",
        "title": "关于村道硬化的建议",
        "occurred_on": datetime.date(2026, 3, 5),
        "source_type": "suggestions.suggestion",
        "source_id": "42",
    }
    first = services.record_from_module(**kwargs)
    second = services.record_from_module(**kwargs)
    assert first.pk == second.pk
    assert first.status == RecordStatus.CONFIRMED
    assert first.source == RecordSource.MODULE


def test_deputy_list_and_workbench_panel(
    county_mandate: Mandate, login: Callable[[str], Client]
) -> None:
    _report(county_mandate, title="走访困难群众")
    assert "走访困难群众" in login("deputy").get("/duties/").content.decode()
    workbench = login("deputy").get("/workbench/").content.decode()
    assert "我的履职" in workbench
    assert "填报履职" in workbench
    assert "待确认的履职记录" in login("station").get("/workbench/").content.decode()
