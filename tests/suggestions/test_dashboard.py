"""The supervision dashboard: every figure equals a count computed directly from the records,
each figure's link lists exactly that many records, a county office sees only its county, a
unit only its own cases, and the Excel export is complete and audited."""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape
from typing import Any

import pytest
from django.db.models import Q
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from renda.cases import services as case_services
from renda.cases.models import OPEN_STATUSES, Case, CaseStatus, CaseUnit, Evaluation, Rating, Reply
from renda.cases.policies import cases as case_policy
from renda.core.dates import local_date
from renda.core.models import AuditAction, AuditEvent, User
from renda.deputies.models import Mandate
from renda.suggestions import dashboard, selectors, services
from renda.suggestions.dashboard import DashboardFilters, RecordFilters
from renda.suggestions.models import Suggestion, SuggestionStatus
from tests.cases.conftest import unit_user
from tests.suggestions.conftest import CITY, COUNTY, client_for

pytestmark = pytest.mark.django_db

SOURCE = services.SOURCE_TYPE


@dataclass
class World:
    county: list[Suggestion]
    city: Suggestion
    cases: dict[str, Case]
    unit_user: User


def _assign(item: Suggestion, office: User, lead: Any, co: Any = None) -> Case:
    item = services.review(actor=office, suggestion=item, decision="accept")
    return services.assign(
        actor=office, suggestion=item, lead_unit=lead, co_units=[co] if co else []
    )


@pytest.fixture
def world(county_mandate: Mandate, write: Callable[..., Suggestion]) -> World:
    office = User.objects.get(username="county_office")
    city_office = User.objects.get(username="office")
    deputy = User.objects.get(username="deputy")
    units = list(selectors.units_for(write(county_mandate, title="草稿以外的第一件")).all()[:3])
    lead, co, other = units
    lead_user = unit_user(lead, "dash-unit-lead")
    other_user = unit_user(other, "dash-unit-other")
    titles = [
        "关于农村公路护栏的建议",
        "关于乡镇卫生院设备的建议",
        "关于学校食堂改造的建议",
        "关于河道清淤的建议",
    ]
    items = [write(county_mandate, title=t) for t in titles]
    write(county_mandate, title="还是草稿的建议", submit=False)
    replied = _assign(items[0], office, lead, co)
    case_services.sign(actor=lead_user, case=replied)
    case_services.reply(
        actor=lead_user,
        case=replied,
        result_class="A",
        content="已在临水路段增设护栏。",
        measures="",
        approved_by_name="王局长",
    )
    case_services.rate(actor=deputy, case=replied, rating=Rating.SATISFIED, comment="满意")
    case_services.publish_reply(actor=office, case=replied)
    overdue = _assign(items[1], office, other)
    Case.objects.filter(pk=overdue.pk).update(due_on=local_date() - datetime.timedelta(days=5))
    answered = _assign(items[2], office, lead)
    case_services.sign(actor=lead_user, case=answered)
    case_services.reply(
        actor=lead_user,
        case=answered,
        result_class="C",
        content="受财力所限,留作参考。",
        measures="",
        approved_by_name="王局长",
    )
    case_services.rate(actor=deputy, case=answered, rating=Rating.UNSATISFIED, comment="不满意")
    services.review(actor=office, suggestion=items[3], decision="accept")
    city_mandate = Mandate.objects.get(person__user=deputy, region_id=CITY)
    city_item = write(city_mandate, title="关于市区停车难的建议")
    city_lead = selectors.units_for(city_item).first()
    assert city_lead is not None
    _assign(city_item, city_office, city_lead)
    assert other_user.pk
    return World(
        county=items,
        city=city_item,
        cases={"replied": replied, "overdue": overdue, "answered": answered},
        unit_user=lead_user,
    )


def _in(code: str) -> Q:
    prefix = code.rstrip("0")
    return Q(region__code__startswith=prefix)


def _expected(region: str) -> dict[str, Any]:
    """The dashboard's figures for a jurisdiction, counted straight from the rows."""
    today = local_date()
    items = Suggestion.objects.filter(_in(region)).exclude(status=SuggestionStatus.DRAFT)
    cases = Case.objects.filter(_in(region), subject_type=SOURCE)
    replies = Reply.objects.filter(case__in=cases)
    ratings = Evaluation.objects.filter(case__in=cases)
    latest = {}
    for r in replies.order_by("case_id", "round"):
        latest[r.case_id] = r.result_class
    return {
        "suggestions": items.count(),
        "by_status": {s: items.filter(status=s).count() for s in SuggestionStatus.values},
        "cases": cases.count(),
        "by_case_status": {s: cases.filter(status=s).count() for s in CaseStatus.values},
        "overdue": cases.filter(status__in=OPEN_STATUSES, due_on__lt=today).count(),
        "signed": sum(
            1 for c in cases if c.signed_at or c.status in ("replied", "reopened", "closed")
        ),
        "replies": replies.count(),
        "on_time": replies.filter(on_time=True).count(),
        "ratings": ratings.count(),
        "content": ratings.filter(rating__in=[Rating.SATISFIED, Rating.BASIC]).count(),
        "classes": {k: list(latest.values()).count(k) for k in "ABC"},
        "by_unit": {
            u: cases.filter(lead_unit_id=u).count()
            for u in cases.values_list("lead_unit_id", flat=True)
        },
        "by_category": {
            c or "-": items.filter(category__name=c).count()
            if c
            else items.filter(category=None).count()
            for c in items.values_list("category__name", flat=True)
        },
    }


def _percent(part: int, whole: int) -> str:
    return f"{part / whole * 100:.1f}%" if whole else "—"


@pytest.mark.parametrize(("username", "region"), [("county_office", COUNTY), ("office", CITY)])
def test_every_figure_equals_the_records(world: World, username: str, region: str) -> None:
    user = User.objects.get(username=username)
    board = dashboard.dashboard(user, DashboardFilters())
    want = _expected(region)
    assert want["cases"] >= 3
    assert want["overdue"] >= 1
    assert board.suggestions == want["suggestions"]
    assert {b.key: b.count for b in board.by_status} == {
        k: v for k, v in want["by_status"].items() if k != SuggestionStatus.DRAFT
    }
    f = board.case_figures
    assert f.total == want["cases"]
    assert {b.key: b.count for b in board.by_case_status} == want["by_case_status"]
    assert f.overdue == want["overdue"] == len(board.overdue)
    assert (f.signed, f.replies, f.on_time_replies) == (
        want["signed"],
        want["replies"],
        want["on_time"],
    )
    assert (f.ratings, f.satisfied + f.basic) == (want["ratings"], want["content"])
    assert f.by_class == want["classes"]
    assert {u.unit_id: u.total for u in board.by_unit} == want["by_unit"]
    assert {b.key: b.count for b in board.by_category} == want["by_category"]
    assert sum(b.count for b in board.by_level) == want["suggestions"]


def _figures(html: str) -> dict[str, tuple[str, str]]:
    """data-figure name -> (link, shown value)."""
    found = {}
    for href, name, value in re.findall(
        r'<a href="([^"]+)" data-figure="([^"]+)">([^<]*)</a>', html
    ):
        found[name] = (unescape(href), value.strip())
    for name, value in re.findall(r'<dd data-figure="([^"]+)">([^<]*)</dd>', html):
        found[name] = ("", value.strip())
    return found


def _count(client: Client, url: str) -> int:
    page = client.get(url).content.decode()
    match = re.search(r"共 (\d+) 件", page)
    assert match, url
    return int(match.group(1))


def test_page_figures_and_drill_down(world: World, login: Callable[[str], Client]) -> None:
    client = login("county_office")
    response = client.get(reverse("suggestions:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    want = _expected(COUNTY)
    shown = _figures(html)
    assert shown["cases"][1] == str(want["cases"])
    assert shown["overdue"][1] == str(want["overdue"])
    assert shown["sign_rate"][1] == _percent(want["signed"], want["cases"])
    assert shown["on_time_rate"][1] == _percent(want["on_time"], want["replies"])
    assert shown["satisfaction_rate"][1] == _percent(want["content"], want["ratings"])
    assert shown["replies"][1] == str(want["replies"])
    for status, n in want["by_case_status"].items():
        assert shown[f"case-{status}"][1] == str(n)
    for status, n in want["by_status"].items():
        if status != SuggestionStatus.DRAFT:
            assert shown[f"status-{status}"][1] == str(n)
    # Every linked number lists exactly that many records.
    links = {name: (url, value) for name, (url, value) in shown.items() if url}
    assert len(links) > 15
    for name, (url, value) in links.items():
        assert _count(client, url) == int(value), name
    # Charts come as JSON for the static script: no inline script (CSP).
    assert 'id="chart-unit" type="application/json"' in html
    assert "js/data-charts.js" in html
    assert world.cases["overdue"].title in html


def test_county_office_sees_only_its_county(world: World, login: Callable[[str], Client]) -> None:
    county = login("county_office")
    html = county.get(reverse("suggestions:dashboard_records")).content.decode()
    assert world.county[0].title in html
    assert world.city.title not in html
    board = dashboard.dashboard(User.objects.get(username="county_office"), DashboardFilters())
    assert world.city.region_id not in {c.region_id for c in board.overdue}
    city = login("office")
    html = city.get(reverse("suggestions:dashboard_records")).content.decode()
    assert world.city.title in html
    assert world.county[0].title in html


def test_staff_figures_cover_the_jurisdiction_only(world: World) -> None:
    """A staff member's own case elsewhere (the county office as the author of a city case)
    stays theirs to follow through the case policy, but is no figure of their county."""
    office = User.objects.get(username="county_office")
    city_case = Case.objects.get(subject_type=SOURCE, subject_id=str(world.city.pk))
    Case.objects.filter(pk=city_case.pk).update(author=office)
    want = _expected(COUNTY)
    policy_cases = case_policy.filter(office, Case.objects.filter(subject_type=SOURCE))
    assert policy_cases.count() == want["cases"] + 1
    board = dashboard.dashboard(office, DashboardFilters())
    assert board.case_figures.total == want["cases"]
    assert {b.key: b.count for b in board.by_case_status} == want["by_case_status"]
    assert sum(u.total for u in board.by_unit) == want["cases"]
    listed = dashboard.records(
        office, DashboardFilters(), RecordFilters(case_status=city_case.status)
    )
    assert world.city.pk not in {s.pk for s in listed}


def test_unit_sees_only_its_cases(world: World) -> None:
    client = client_for(world.unit_user)
    response = client.get(reverse("suggestions:dashboard"))
    assert response.status_code == 200
    unit_id = world.unit_user.grants.get().organization_id
    mine = Case.objects.filter(
        subject_type=SOURCE,
        pk__in=CaseUnit.objects.filter(unit_id=unit_id, active=True).values("case_id"),
    )
    board = dashboard.dashboard(world.unit_user, DashboardFilters())
    assert board.case_figures.total == mine.count() == 2
    assert _figures(response.content.decode())["cases"][1] == "2"
    records = client.get(reverse("suggestions:dashboard_records")).content.decode()
    assert world.cases["replied"].title in records
    assert world.cases["overdue"].title not in records
    assert world.city.title not in records


def test_deputy_and_citizen_get_no_dashboard(world: World, login: Callable[[str], Client]) -> None:
    for name in ("deputy", "citizen"):
        assert login(name).get(reverse("suggestions:dashboard")).status_code == 403
    assert login("leader").get(reverse("suggestions:dashboard")).status_code == 200


def test_period_filter(world: World) -> None:
    office = User.objects.get(username="county_office")
    congress = world.county[0].congress_id
    board = dashboard.dashboard(office, DashboardFilters(congress=congress, session=0))
    assert board.case_figures.total == 3
    empty = dashboard.dashboard(office, DashboardFilters(session=3))
    assert empty.suggestions == 0
    assert empty.case_figures.total == 0


def test_export_lists_every_record_and_is_audited(
    world: World, login: Callable[[str], Client]
) -> None:
    client = login("county_office")
    response = client.post(reverse("suggestions:dashboard_export"), {})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "标题", "领衔代表")
    assert len(rows) - 1 == _expected(COUNTY)["suggestions"]
    by_title = {r[1]: r for r in rows[1:]}
    replied = by_title[world.county[0].title]
    assert replied[7] == "已办结"
    assert replied[10].startswith("A")
    assert replied[11] == "满意"
    assert world.city.title not in by_title
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT, object_type="suggestions.suggestion"
    ).exists()
    assert login("unit").post(reverse("suggestions:dashboard_export"), {}).status_code == 403
