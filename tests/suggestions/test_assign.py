"""Assignment hands an accepted suggestion to renda.cases exactly once."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from renda.cases.models import Case, CaseStatus
from renda.core.errors import Conflict, IllegalTransition
from renda.core.models import User
from renda.deputies.models import Mandate
from renda.suggestions import selectors, services
from renda.suggestions.models import Suggestion, SuggestionStatus

pytestmark = pytest.mark.django_db


def test_assign_creates_the_case_once(
    county_mandate: Mandate, write: Callable[..., Suggestion]
) -> None:
    office = User.objects.get(username="county_office")
    item = write(county_mandate)
    with pytest.raises(IllegalTransition):
        services.assign(actor=office, suggestion=item, lead_unit=selectors.units_for(item).first())  # type: ignore[arg-type]
    item = services.review(actor=office, suggestion=item, decision="accept")
    units = list(selectors.units_for(item)[:2])
    assert len(units) == 2
    case = services.assign(actor=office, suggestion=item, lead_unit=units[0], co_units=[units[1]])
    assert case.status == CaseStatus.ASSIGNED
    assert (case.subject_type, case.subject_id) == (services.SOURCE_TYPE, str(item.pk))
    assert case.author == User.objects.get(username="deputy")
    item.refresh_from_db()
    assert item.status == SuggestionStatus.ASSIGNED
    assert item.events.filter(action="assign").exists()
    with pytest.raises(Conflict):
        services.assign(actor=office, suggestion=item, lead_unit=units[0])
    assert Case.objects.filter(subject_id=str(item.pk)).count() == 1


def test_batch_assignment_reports_the_ones_that_failed(
    county_mandate: Mandate, write: Callable[..., Suggestion], login: Callable[[str], Client]
) -> None:
    office = User.objects.get(username="county_office")
    first = services.review(actor=office, suggestion=write(county_mandate), decision="accept")
    second = services.review(
        actor=office, suggestion=write(county_mandate, title="关于路灯的建议"), decision="accept"
    )
    lead, co = list(selectors.units_for(first)[:2])
    services.assign(actor=office, suggestion=second, lead_unit=lead)  # a colleague was faster
    client = login("county_office")
    page = client.get(reverse("suggestions:assign_batch")).content.decode()
    assert first.title in page
    response = client.post(
        reverse("suggestions:assign_batch"),
        {"items": [str(first.pk)], "lead_unit": str(lead.pk), "co_units": [str(co.pk)]},
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == SuggestionStatus.ASSIGNED
    cases, failed = services.assign_batch(actor=office, suggestions=[first, second], lead_unit=lead)
    assert cases == []
    assert set(failed) == {first.pk, second.pk}
    assert "已经交办" in failed[first.pk]
