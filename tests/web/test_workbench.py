"""The workbench (工作台): every demo role gets one, with its roles, jurisdictions and panels."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from renda.core import workbench
from renda.core.models import Organization, OrganizationKind, Person, Region
from renda.core.models import in_subtree_q as subtree
from tests.conftest import COUNTY

pytestmark = pytest.mark.django_db

ROLES = {
    "admin": ("系统管理员", "衡阳市"),
    "office": ("人大机关工作人员", "衡阳市"),
    "county_office": ("人大机关工作人员", "衡阳县"),
    "township_office": ("人大机关工作人员", None),
    "deputy": ("人大代表", "衡阳县"),
    "station": ("联络站管理员", "人大代表联络站"),
    "unit": ("承办单位工作人员", "衡阳市住房和城乡建设局"),
    "leader": ("常委会组成人员/领导", "衡阳市"),
    "citizen": ("群众", None),
}


@pytest.mark.parametrize("username", list(ROLES))
def test_every_demo_role_has_a_workbench(login: Any, user: Any, username: str) -> None:
    response = login(username).get("/workbench/")
    html = response.content.decode()
    assert response.status_code == 200
    role, scope = ROLES[username]
    assert role in html
    if scope:
        assert scope in html
    assert f"{user(username).display_name},您好" in html
    assert 'aria-current="page">工作台<' in html


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get("/workbench/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def _overview(html: str) -> dict[str, int]:
    stats = re.findall(r"<dt>([^<]+)</dt><dd>(?:<a [^>]*>)?(\d+)", html)
    return {label: int(value) for label, value in stats}


def test_county_office_overview_counts_its_own_county(login: Any, region: Any) -> None:
    html = login("county_office").get("/workbench/").content.decode()
    county = region(COUNTY)
    stats = _overview(html)
    assert stats["机构"] == Organization.objects.filter(county.subtree_q("region_id")).count()
    assert stats["人员"] == Person.objects.filter(county.subtree_q("region_id")).count()
    assert stats["下辖乡镇(街道)"] == Region.objects.filter(parent=county).count()
    assert (
        stats["代表联络站"]
        == Organization.objects.filter(
            county.subtree_q("region_id"), kind=OrganizationKind.LIAISON_STATION
        ).count()
    )
    # The chart's data comes through json_script and is drawn by a static file.
    data = re.search(
        r'<script id="chart-data-overview" type="application/json">(.*?)</script>', html
    )
    assert data is not None
    chart = json.loads(data.group(1))
    assert sum(row["value"] for row in chart) == stats["机构"]
    assert {"name": "代表联络站", "value": stats["代表联络站"]} in chart
    assert 'src="/static/js/charts.js"' in html


def test_city_office_sees_more_than_the_county(login: Any, region: Any) -> None:
    city = _overview(login("office").get("/workbench/").content.decode())
    county = _overview(login("county_office").get("/workbench/").content.decode())
    assert (
        city["人员"] == Person.objects.filter(subtree("region_id", "430400000000", "city")).count()
    )
    assert city["人员"] > county["人员"]
    assert city["下辖县(市、区)"] == 2


def test_admin_sees_recent_audit_events(login: Any) -> None:
    html = login("admin").get("/workbench/").content.decode()
    assert "最近操作记录" in html
    assert "查看全部审计日志" in html
    assert "辖区概况" in html


def test_deputy_sees_own_profile_without_charts(login: Any, user: Any) -> None:
    html = login("deputy").get("/workbench/").content.decode()
    person = user("deputy").person
    assert "我的信息" in html
    assert "衡阳市人大代表" in html
    assert "衡阳县人大代表" in html
    # Their own number in full: the person may see their own record.
    assert person.phone in html
    assert "echarts" not in html
    assert "辖区概况" not in html


def test_station_and_unit_see_their_organization(login: Any, user: Any) -> None:
    station = login("station").get("/workbench/").content.decode()
    assert "我的单位" in station
    assert "代表联络站" in station
    unit = login("unit").get("/workbench/").content.decode()
    assert "衡阳市住房和城乡建设局" in unit
    assert "政府部门" in unit


def test_citizen_sees_profile_and_a_note(login: Any) -> None:
    html = login("citizen").get("/workbench/").content.decode()
    assert "我的信息" in html
    assert "即将在这里开通" in html
    assert "机构名录" not in html


def test_registered_panels_render_for_their_roles_only(
    login: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(
        workbench._panels,
        "test.todo",
        workbench.Panel(
            key="test.todo",
            title="测试待办",
            roles=frozenset({"deputy"}),
            build=lambda user: {"organizations": []},
            template="web/panels/organization.html",
        ),
    )
    monkeypatch.setitem(
        workbench._panels,
        "test.hidden",
        workbench.Panel(
            key="test.hidden",
            title="隐藏面板",
            roles=frozenset({"deputy"}),
            build=lambda user: None,
            template="web/panels/organization.html",
        ),
    )
    deputy = login("deputy").get("/workbench/").content.decode()
    assert "测试待办" in deputy
    # The panel had nothing to show, so its empty state is shown.
    assert "还没有关联单位" in deputy
    assert "隐藏面板" not in deputy
    assert "测试待办" not in login("office").get("/workbench/").content.decode()


def test_workbench_query_count_does_not_grow_with_the_jurisdiction(login: Any) -> None:
    """A city, a county and a township office run the same fixed queries: one or two per
    panel (overview, duty reviews, suggestions to review, ledger chart, disputes, bell)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for username in ("office", "county_office", "township_office"):
        client = login(username)
        client.get("/workbench/")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/workbench/").status_code == 200
        counts[username] = len(queries)
    assert counts["office"] == counts["county_office"] == counts["township_office"], counts
    assert counts["office"] <= 20, counts
