"""Issue 3's acceptance walk, in Chromium: the city office imports a deputies' file with
errors, reads the per-row report, fixes the file and imports it; the deputy reports an
activity from a phone; the station confirms it; the deputy's points and the city ledger
change accordingly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from renda.deputies.models import Mandate
from renda.duties.models import DutyRecord, RecordStatus
from renda.points.models import PointRule
from tests.browser.conftest import DESKTOP, shot
from tests.browser.test_frame import sign_in
from tests.deputies.conftest import deputy_row, id_number, workbook_bytes

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
COUNTY = "430421000000"


@pytest.fixture(autouse=True)
def _tasks_inline(settings: Any, tmp_path: Path) -> None:
    # The live server runs background work as it is enqueued (on commit); the task worker
    # itself is covered by the notification tests against the database queue and Redis.
    settings.TASKS = IMMEDIATE
    settings.MEDIA_ROOT = tmp_path / "media"


def _office_imports_a_file_with_errors_then_the_fixed_one(
    browser: Any, base_url: str, tmp_path: Path
) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", base_url=base_url)
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, "office")
    good = [deputy_row(901), deputy_row(902, female=True)]
    broken = [
        good[0],
        deputy_row(902, female=True, 当选日期="2021-02-30"),
        deputy_row(903, 身份证号码=id_number(901)),
    ]
    bad_file, fixed_file = tmp_path / "代表名册(有误).xlsx", tmp_path / "代表名册.xlsx"
    bad_file.write_bytes(workbook_bytes(broken))
    fixed_file.write_bytes(workbook_bytes(good))

    page.goto("/deputies/import/")
    page.set_input_files("input[type=file]", str(bad_file))
    page.click("form button[type=submit]:has-text('上传并校验')")
    page.wait_for_selector("text=发现错误,尚未导入任何数据")
    report = page.content()
    assert "第 3 行" in report
    assert "当选日期" in report
    assert "2021-02-30" in report
    assert "身份证号码" in report
    shot(page, "walk-1-import-errors")

    page.goto("/deputies/import/")
    page.set_input_files("input[type=file]", str(fixed_file))
    page.click("form button[type=submit]:has-text('上传并校验')")
    page.wait_for_selector("text=校验通过")
    page.click("button:has-text('确认导入')")
    page.wait_for_selector("text=导入完成")
    assert Mandate.objects.filter(person__name__in=["测试代表901", "测试代表902"]).count() == 2
    context.close()


def _deputy_reports_from_a_phone(page: Any) -> DutyRecord:
    sign_in(page, "deputy")
    page.goto("/workbench/")
    page.click("a:has-text('填报履职')")
    page.wait_for_url("**/duties/report/")
    page.click("label.tile:has-text('接待选民')")
    page.fill("textarea[name=content]", "在西渡镇代表联络站接待选民 8 人,收集村道修缮意见 3 条。")
    shot(page, "walk-2-deputy-report-phone")
    page.click("button:has-text('提交')")
    page.wait_for_selector("text=已提交,等待联络站或人大机关确认。")
    record = DutyRecord.objects.filter(mandate__person__user__username="deputy").latest("id")
    assert record.status == RecordStatus.SUBMITTED
    return record


def _station_confirms(browser: Any, base_url: str, record: DutyRecord) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", base_url=base_url
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, "station")
    page.goto("/duties/review/")
    page.click(f"a[href='/duties/records/{record.pk}/']")
    page.click("button:has-text('确认')")
    page.wait_for_selector("text=已确认,计入履职档案和积分。")
    record.refresh_from_db()
    assert record.status == RecordStatus.CONFIRMED
    context.close()


def _city_ledger_totals(browser: Any, base_url: str, name: str) -> tuple[int, float]:
    """(activities, points) in the total row of the city office's ledger for this year."""
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", base_url=base_url)
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, "office")
    page.goto("/ledgers/")
    total = page.locator("tr:has(th:text-is('合计'))")
    cells = total.locator("td")
    activities, points = int(cells.nth(1).inner_text()), float(cells.last.inner_text())
    shot(page, name)
    context.close()
    return activities, points


def _deputy_sees_the_points(page: Any, record: DutyRecord) -> None:
    page.goto("/points/")
    page.click(f"a[href^='/points/mandate/{record.mandate_id}/']")
    entry = page.locator(f"a[href='/duties/records/{record.pk}/']")
    assert entry.count() >= 1, "the new points entry links to its duty record"
    assert "接待选民" in page.inner_text("main")
    shot(page, "walk-4-deputy-points-phone")


@pytest.mark.slow  # the whole walk: scheduled first among the live-server tests
def test_import_report_confirm_points_and_ledger(
    page: Any, browser: Any, live_server: Any, tmp_path: Path
) -> None:
    _office_imports_a_file_with_errors_then_the_fixed_one(browser, live_server.url, tmp_path)
    before = _city_ledger_totals(browser, live_server.url, "walk-0-city-ledger-before")
    record = _deputy_reports_from_a_phone(page)
    _station_confirms(browser, live_server.url, record)
    _deputy_sees_the_points(page, record)
    after = _city_ledger_totals(browser, live_server.url, "walk-5-city-ledger-after")
    reception = PointRule.objects.get(
        rule_set__congress__region_id=COUNTY, rule_set__is_current=True, code="reception"
    )
    assert after[0] == before[0] + 1
    assert after[1] == before[1] + float(reception.points)
