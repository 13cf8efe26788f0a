"""Congress leaders and the government's supervision office (督查室): they reach the
dashboard from the menu and the workbench, whose headline figures equal direct counts; the
supervision office exports and supervises inside its jurisdiction only, and its instruction
reaches the unit's staff and leader."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from renda.cases import selectors as case_selectors
from renda.cases import services as case_services
from renda.cases.models import Case, CaseEvent
from renda.core.errors import NotFound
from renda.core.models import Organization, User
from renda.deputies.models import Mandate
from renda.notifications.models import Notification
from renda.suggestions import dashboard, selectors, services
from renda.suggestions.models import Suggestion
from tests.suggestions.conftest import client_for

pytestmark = pytest.mark.django_db


def _city_unit() -> Organization:
    grant = User.objects.get(username="unit").grants.get()
    assert grant.organization is not None
    return grant.organization


@pytest.fixture
def case(
    county_mandate: Mandate,
    write: Callable[..., Suggestion],
    django_capture_on_commit_callbacks: Any,
) -> Case:
    """A city-congress suggestion assigned to the demo unit (市住建局)."""
    city = Mandate.objects.get(person__user__username="deputy", region_id="430400000000")
    item = write(city, title="关于城区老旧小区加装电梯的建议")
    office = User.objects.get(username="office")
    with django_capture_on_commit_callbacks(execute=True):
        item = services.review(actor=office, suggestion=item, decision="accept")
        return services.assign(actor=office, suggestion=item, lead_unit=_city_unit(), co_units=[])


@pytest.mark.parametrize("username", ["leader", "supervision"])
def test_menu_and_workbench_lead_to_the_dashboard(username: str, case: Case) -> None:
    user = User.objects.get(username=username)
    client = client_for(user)
    page = client.get(reverse("web:workbench")).content.decode()
    assert "建议办理概况" in page
    assert reverse("suggestions:dashboard") in page
    figures = case_selectors.figures(dashboard.scope(user, dashboard.DashboardFilters()).cases)
    assert figures.total == Case.objects.filter(subject_type=services.SOURCE_TYPE).count() >= 1
    assert f'data-figure="cases">{figures.total}<' in page
    assert f'data-figure="overdue">{figures.overdue}<' in page
    assert client.get(reverse("suggestions:dashboard")).status_code == 200


def test_units_and_deputies_get_no_oversight_panel(case: Case) -> None:
    for username in ("unit", "unit_leader", "deputy"):
        page = client_for(User.objects.get(username=username)).get(reverse("web:workbench"))
        assert "建议办理概况" not in page.content.decode(), username


def test_supervision_office_exports_and_supervises_inside_its_jurisdiction(
    case: Case, django_capture_on_commit_callbacks: Any
) -> None:
    supervision = User.objects.get(username="supervision")
    assert dashboard.can_export(supervision)
    response = client_for(supervision).post(reverse("suggestions:dashboard_export"), {})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    with django_capture_on_commit_callbacks(execute=True):
        case_services.supervise(actor=supervision, case=case, comment="请于本周内答复代表。")
    assert CaseEvent.objects.filter(case=case, action="supervise", actor=supervision).exists()
    told = set(
        Notification.objects.filter(
            title__contains=case.title, body="请于本周内答复代表。"
        ).values_list("recipient__username", flat=True)
    )
    assert {"unit", "unit_leader"} <= told
    # A county's supervision office cannot supervise a city case.
    from renda.core import services as core_services
    from renda.core.models import Region, Role

    county = User.objects.create(username="county-supervision")
    core_services.grant_role(
        actor=None,
        user=county,
        role=Role.SUPERVISION,
        region=Region.objects.get(code="430421000000"),
    )
    county = User.objects.get(pk=county.pk)
    with pytest.raises(NotFound):
        case_services.supervise(actor=county, case=case, comment="越权督办")


def test_dashboard_lists_the_busiest_units_first_and_all_on_request(
    case: Case,
    county_mandate: Mandate,
    write: Callable[..., Suggestion],
    monkeypatch: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from renda.suggestions import dashboard_views

    office = User.objects.get(username="office")
    other = selectors.units_for(case_item(case)).exclude(pk=case.lead_unit_id).first()
    assert other is not None
    city = Mandate.objects.get(person__user__username="deputy", region_id="430400000000")
    for title in ("关于城区停车的建议", "关于城区绿化的建议"):
        item = write(city, title=title)
        with django_capture_on_commit_callbacks(execute=True):
            item = services.review(actor=office, suggestion=item, decision="accept")
            services.assign(actor=office, suggestion=item, lead_unit=other, co_units=[])
    monkeypatch.setattr(dashboard_views, "UNIT_ROWS", 1)
    client = client_for(office)
    page = client.get(reverse("suggestions:dashboard")).content.decode()
    # The unit with two cases comes first; the other is behind the "show all" link.
    assert f'data-figure="unit-{other.pk}"' in page
    assert f'data-figure="unit-{case.lead_unit_id}"' not in page
    assert 'data-more="units"' in page
    page = client.get(reverse("suggestions:dashboard") + "?units=all").content.decode()
    assert f'data-figure="unit-{case.lead_unit_id}"' in page
    assert 'data-more="units"' not in page


def case_item(case: Case) -> Suggestion:
    return Suggestion.objects.get(pk=int(case.subject_id))
