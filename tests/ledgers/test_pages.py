"""The ledger pages: who may open them, the live filter, drill-down links, charts without
inline script, the audited exports and the inactive deputies' list."""

from __future__ import annotations

import datetime
import io
import json
import re
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from renda.core.models import AuditAction, AuditEvent, Region
from renda.deputies.models import Mandate, MandateStatus
from renda.duties.models import DutyRecord, RecordSource, RecordStatus
from renda.ledgers import selectors
from tests.conftest import COUNTY, OTHER_COUNTY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("duty_data")]
CITY = "430400000000"


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("office", 200),
        ("county_office", 200),
        ("leader", 200),
        ("admin", 200),
        ("deputy", 403),
        ("station", 403),
        ("unit", 403),
        ("citizen", 403),
    ],
)
def test_who_may_open_the_ledger(login: Any, username: str, status: int) -> None:
    client = login(username)
    assert client.get("/ledgers/").status_code == status
    assert client.get("/ledgers/inactive/").status_code == status


def test_anonymous_is_sent_to_login(client: Any) -> None:
    response = client.get("/ledgers/")
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_city_ledger_page_shows_counties_and_charts(login: Any) -> None:
    response = login("office").get("/ledgers/")
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("衡阳市本级", "衡阳县", "珠晖区", "出席率", "积分"):
        assert name in html
    # Drill-down links keep the period and go one level down.
    assert f"region={COUNTY}" in html
    assert "by=township" in html
    # Chart data as JSON script tags, drawn by a static file: no inline script.
    for chart in ("ledger-kinds", "ledger-months", "ledger-attendance"):
        match = re.search(rf'<script id="{chart}" type="application/json">(.*?)</script>', html)
        assert match is not None, chart
        assert isinstance(json.loads(match.group(1)), list)
    scripts = re.findall(r"<script(?![^>]*(?:src=|application/json))[^>]*>", html)
    assert scripts == []
    assert "js/data-charts.js" in html


def test_live_filter_returns_the_results_fragment(login: Any) -> None:
    response = login("office").get("/ledgers/", {"by": "level"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="results"')
    assert "<html" not in html
    assert "县级人大代表" in html


def test_county_office_page_stays_inside_its_county(login: Any) -> None:
    client = login("county_office")
    html = client.get("/ledgers/").content.decode()
    assert "衡阳县本级" in html
    assert "珠晖区" not in html
    # A region outside the jurisdiction is refused by the filter and the default is shown.
    html = client.get("/ledgers/", {"region": OTHER_COUNTY}).content.decode()
    assert "请选择您管辖范围内的区划" in html
    assert "茶山坳镇" not in html


def test_deputy_rows_link_to_the_mandate(login: Any) -> None:
    township = Region.objects.get(code=COUNTY).children.order_by("code").first()
    assert township is not None
    html = (
        login("office").get("/ledgers/", {"region": township.code, "by": "deputy"}).content.decode()
    )
    mandate = Mandate.objects.filter(region=township).order_by("pk").first()
    assert mandate is not None
    assert f"/deputies/{mandate.pk}/" in html
    # And to the points breakdown of the period's year.
    year = selectors.this_year()[0].year
    assert f"/points/mandate/{mandate.pk}/{year}/" in html


def test_bad_period_keeps_the_input_and_explains(login: Any) -> None:
    html = (
        login("office")
        .get("/ledgers/", {"date_from": "2026-05-01", "date_to": "2026-01-01"})
        .content.decode()
    )
    assert "结束日期不能早于开始日期" in html
    assert 'value="2026-05-01"' in html


def test_export_is_audited_and_matches_the_page(login: Any, user: Any) -> None:
    client = login("office")
    before = AuditEvent.objects.filter(action=AuditAction.EXPORT).count()
    response = client.post("/ledgers/export/", {"region": CITY, "by": "county"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:3] == ("统计单位", "说明", "代表数")
    labels = [row[0] for row in values[1:]]
    assert labels == ["衡阳市本级", "珠晖区", "衡阳县", "合计"]  # by region code
    ledger = selectors.ledger(user("office"), selectors.LedgerFilters.default(user("office")))
    assert values[-1][3] == ledger.total.activities
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT).order_by("-id").first()
    assert event is not None
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == before + 1
    assert event.object_type == "ledgers.ledger"


def test_export_by_deputy_lists_every_deputy(login: Any) -> None:
    response = login("county_office").post("/ledgers/export/", {"by": "deputy"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))[1:-1]
    serving = Mandate.objects.filter(
        Region.objects.get(code=COUNTY).subtree_q("region_id"), status=MandateStatus.SERVING
    ).count()
    assert len(rows) == serving


def test_leader_may_read_but_not_export(login: Any) -> None:
    client = login("leader")
    assert client.post("/ledgers/export/", {}).status_code == 403
    assert client.post("/ledgers/inactive/export/", {}).status_code == 403


def test_inactive_list(login: Any, user: Any) -> None:
    office = user("office")
    today = timezone.localdate()
    cutoff = selectors.months_before(today, 3)
    listed = set(selectors.inactive(office).values_list("pk", flat=True))
    city = Region.objects.get(code=CITY)
    expected = set(
        Mandate.objects.filter(
            city.subtree_q("region_id"), status=MandateStatus.SERVING, elected_on__lte=cutoff
        )
        .exclude(
            pk__in=DutyRecord.objects.filter(
                status=RecordStatus.CONFIRMED, occurred_on__gte=cutoff
            ).values("mandate_id")
        )
        .values_list("pk", flat=True)
    )
    assert listed == expected
    # The demo deputy has no records: listed; one confirmed record today takes them off.
    own = Mandate.objects.filter(person__user__username="deputy", region_id=CITY).get()
    assert own.pk in listed
    DutyRecord.objects.create(
        mandate=own,
        region_id=own.region_id,
        kind="reception",
        title="接待选民",
        occurred_on=today,
        source=RecordSource.SELF,
        status=RecordStatus.CONFIRMED,
    )
    assert own.pk not in set(selectors.inactive(office).values_list("pk", flat=True))
    # A submitted (unconfirmed) report does not count.
    county_own = Mandate.objects.filter(person__user__username="deputy", region_id=COUNTY).get()
    DutyRecord.objects.create(
        mandate=county_own,
        region_id=COUNTY,
        kind="reception",
        title="接待选民",
        occurred_on=today,
        source=RecordSource.SELF,
        status=RecordStatus.SUBMITTED,
    )
    assert county_own.pk in set(selectors.inactive(office).values_list("pk", flat=True))
    # The county office sees only its own county's.
    county = set(selectors.inactive(user("county_office")).values_list("pk", flat=True))
    assert county
    assert all(
        code.startswith("430421")
        for code in Mandate.objects.filter(pk__in=county).values_list("region_id", flat=True)
    )


def test_inactive_page_months_and_export(login: Any) -> None:
    client = login("office")
    html = client.get("/ledgers/inactive/", {"months": "6"}).content.decode()
    assert "没有履职记录的代表共" in html
    html = client.get("/ledgers/inactive/", {"months": "99"}).content.decode()
    assert "请填写 1 到 24 之间的月数" in html
    response = client.post("/ledgers/inactive/export/", {"months": "3"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("代表", "所属人大", "层级", "最近一次履职")
    assert AuditEvent.objects.filter(object_type="ledgers.inactive").exists()


def test_months_before_clamps_to_month_end() -> None:
    assert selectors.months_before(datetime.date(2026, 5, 31), 3) == datetime.date(2026, 2, 28)
    assert selectors.months_before(datetime.date(2026, 1, 15), 1) == datetime.date(2025, 12, 15)


def test_workbench_panel_for_offices(login: Any) -> None:
    html = login("office").get("/workbench/").content.decode()
    assert "本年度履职活动" in html
    assert 'id="chart-data-ledger-kinds"' in html
    assert "/ledgers/" in html
    assert "本年度履职活动" not in login("deputy").get("/workbench/").content.decode()
