"""The audit log page for administrators: filters, Beijing time, and audited exports."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from renda.core import audit
from renda.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(user: Any) -> list[AuditEvent]:
    """A few known events: two in the admin's city (one with a value a spreadsheet would run
    as a formula), one elsewhere."""
    admin = user("admin")
    # The application cannot edit the log, so the dated event is created with its time.
    dated = AuditEvent.objects.create(
        at=datetime.datetime(2025, 12, 31, 16, 30, tzinfo=datetime.UTC),  # 00:30 in Beijing
        actor_name="wrong_guy_dated",
        action=AuditAction.LOGIN_FAILED,
        object_type="core.user",
        object_repr="wrong_guy",
        region_code="430421000000",
    )
    return [
        dated,
        audit.record(
            actor=admin,
            action=AuditAction.UPDATE,
            object_type="core.person",
            object_id="7",
            object_repr='=HYPERLINK("x")',
            region_code="430421000000",
            before={"name": "张三"},
            after={"name": "张叁"},
        ),
        # Outside the admin's city: never shown to them.
        audit.record(
            actor=None,
            actor_name="elsewhere",
            action=AuditAction.LOGIN_FAILED,
            object_type="core.user",
            object_repr="elsewhere",
            region_code="110101000000",
        ),
    ]


def test_only_administrators_see_the_log(login: Any) -> None:
    for name in ("office", "county_office", "leader", "deputy", "citizen"):
        assert login(name).get("/audit/").status_code == 403, name
    html = login("admin").get("/audit/").content.decode()
    assert "审计日志" in html
    assert "导出 Excel" in html


def test_filter_by_action_and_actor(login: Any, events: list[AuditEvent]) -> None:
    client = login("admin")
    html = client.get("/audit/", {"action": AuditAction.LOGIN_FAILED}).content.decode()
    assert "wrong_guy_dated" in html
    assert "张叁" not in html
    assert "elsewhere" not in html
    html = client.get("/audit/", {"actor": "wrong_guy"}).content.decode()
    assert "wrong_guy_dated" in html
    assert 'value="wrong_guy"' in html
    html = client.get("/audit/", {"object_type": "core.person"}).content.decode()
    assert "张叁" in html
    assert "wrong_guy" not in html.split('id="results"')[1]


def test_times_are_shown_in_beijing_time_and_dates_filter_by_it(
    login: Any, events: list[AuditEvent]
) -> None:
    client = login("admin")
    html = client.get("/audit/", {"since": "2026-01-01", "until": "2026-01-01"}).content.decode()
    assert "2026-01-01 00:30:00" in html
    assert "wrong_guy_dated" in html
    html = client.get("/audit/", {"until": "2025-12-31"}).content.decode()
    assert "wrong_guy_dated" not in html


def test_bad_dates_get_chinese_messages_and_keep_the_input(login: Any) -> None:
    client = login("admin")
    html = client.get("/audit/", {"since": "2026-13-45"}).content.decode()
    assert "请输入有效的日期" in html
    assert 'value="2026-13-45"' in html
    html = client.get("/audit/", {"since": "2026-02-01", "until": "2026-01-01"}).content.decode()
    assert "结束日期不能早于开始日期" in html


def test_excel_export_is_filtered_and_audited(
    login: Any, user: Any, events: list[AuditEvent]
) -> None:
    client = login("admin")
    before = AuditEvent.objects.filter(action=AuditAction.EXPORT).count()
    response = client.post("/audit/export/", {"format": "xlsx", "object_type": "core.person"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("时间", "操作人", "来源地址", "操作")
    assert len(rows) == 2
    assert rows[1][6] == '\'=HYPERLINK("x")'  # not a live formula
    assert "张叁" in rows[1][9]
    export = AuditEvent.objects.filter(action=AuditAction.EXPORT).order_by("-id").first()
    assert export is not None
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == before + 1
    assert export.actor == user("admin")
    assert export.after == {"format": "xlsx", "rows": 1, "filters": {"object_type": "core.person"}}


def test_csv_export_in_beijing_time(login: Any, events: list[AuditEvent]) -> None:
    response = login("admin").post(
        "/audit/export/",
        {"format": "csv", "action": AuditAction.LOGIN_FAILED, "since": "2026-01-01"},
    )
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "时间"
    dated = [r for r in rows[1:] if r[1] == "wrong_guy_dated"]
    assert dated
    assert dated[0][0] == "2026-01-01 00:30:00"
    assert all(r[3] == "登录失败" for r in rows[1:])
    assert not any(r[1] == "elsewhere" for r in rows)


def test_export_with_bad_filters_goes_back_with_the_input(login: Any) -> None:
    before = AuditEvent.objects.filter(action=AuditAction.EXPORT).count()
    response = login("admin").post("/audit/export/", {"format": "csv", "since": "bad-date"})
    assert response.status_code == 302
    assert "since=bad-date" in response["Location"]
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == before


def test_non_administrators_cannot_export(login: Any, client: Client) -> None:
    before = AuditEvent.objects.filter(action=AuditAction.EXPORT).count()
    assert login("office").post("/audit/export/", {"format": "csv"}).status_code == 403
    assert client.post("/audit/export/", {"format": "csv"}).status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == before
