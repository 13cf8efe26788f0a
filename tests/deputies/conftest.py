"""Fixtures for the deputies' registry: spreadsheets built with openpyxl, uploads kept in a
temporary media directory, background tasks run inline."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from renda.core.validators import id_number_check_digit
from renda.deputies import spreadsheet
from renda.deputies.models import DeputyImport
from tests.api.conftest import anon, bearer  # noqa: F401 - the API tests' fixtures

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
HEADERS = spreadsheet.headers()
COUNTY_CONGRESS = "衡阳县人民代表大会"
OTHER_CONGRESS = "珠晖区人民代表大会"


def id_number(
    serial: int, *, county: str = "430421", born: datetime.date | None = None, female: bool = False
) -> str:
    """A valid ID number no seeded person has (the seed's sequence numbers start at 501)."""
    born = born or datetime.date(1980, 1, 1) + datetime.timedelta(days=serial // 200)
    order = (serial % 200) * 2 + 2 + (0 if female else 1)
    first17 = f"{county}{born:%Y%m%d}{order:03d}"
    return first17 + id_number_check_digit(first17)


def deputy_row(serial: int, **overrides: Any) -> dict[str, Any]:
    """One valid row of the import layout for the county congress, keyed by header."""
    female = overrides.pop("female", False)
    number = id_number(serial, female=female)
    values: dict[str, Any] = {
        "姓名": f"测试代表{serial}",
        "性别": "女" if female else "男",
        "民族": "汉族",
        "出生日期": None,
        "身份证号码": number,
        "手机号码": f"139{serial:08d}",
        "政治面貌": "群众",
        "学历": "大学本科",
        "工作单位": "衡阳县测试单位",
        "职务": "职员",
        "人大": COUNTY_CONGRESS,
        "届次": "第十九届",
        "代表团": "",
        "代表小组": "",
        "选区": "",
        "联络站": "",
        "代表构成": "工人",
        "专职(是/否)": "否",
        "当选日期": datetime.date(2021, 10, 1),
    }
    values.update(overrides)
    return values


def workbook_bytes(
    rows: list[dict[str, Any]],
    headers: list[str] | None = None,
    title: str = spreadsheet.SHEET_TITLE,
) -> bytes:
    headers = headers or HEADERS
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def upload_file(content: bytes, name: str = "代表名册.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name,
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@pytest.fixture(autouse=True)
def _media_and_tasks(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = IMMEDIATE


@pytest.fixture
def upload(django_capture_on_commit_callbacks: Any) -> Callable[..., DeputyImport]:
    """POST a file to the import page as ``client``; the import it created (background
    steps, if any, run inline when the request's transaction commits)."""

    def post(
        client: Client, content: bytes, *, name: str = "代表名册.xlsx", create_missing: bool = False
    ) -> DeputyImport:
        data: dict[str, Any] = {"file": upload_file(content, name)}
        if create_missing:
            data["create_missing"] = "on"
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/deputies/import/", data)
        assert response.status_code == 302, response.content.decode()[:2000]
        return DeputyImport.objects.latest("id")

    return post


@pytest.fixture
def confirm(django_capture_on_commit_callbacks: Any) -> Callable[..., DeputyImport]:
    def post(client: Client, item: DeputyImport, mode: str = "all") -> DeputyImport:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/deputies/import/{item.pk}/confirm/", {"mode": mode})
        assert response.status_code == 302
        item.refresh_from_db()
        return item

    return post
