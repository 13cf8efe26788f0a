"""The demo suggestions: generated deputies only, every state, cases consistent with what the
services write (one active lead unit, replies and ratings where the state says so), and the
dashboard's figures computed over them."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Count

from renda.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseStatus,
    CaseUnit,
    Contact,
    Evaluation,
    Rating,
    Reply,
    UnitRole,
)
from renda.core.models import User
from renda.duties.models import DutyRecord, RecordStatus
from renda.seed import suggestions as seed
from renda.suggestions import dashboard
from renda.suggestions.dashboard import DashboardFilters
from renda.suggestions.models import Suggestion, SuggestionEvent, SuggestionStatus

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 20)


def test_small_seed_is_consistent() -> None:
    summary = seed.build("small", today=TODAY)
    assert summary.suggestions == seed.PLANS["small"].suggestions
    items = Suggestion.objects.all()
    assert items.count() == summary.suggestions
    assert not items.filter(mandate__person__user__username="deputy").exists()
    assert set(items.values_list("status", flat=True)) >= {
        SuggestionStatus.SUBMITTED,
        SuggestionStatus.ASSIGNED,
    }
    assigned = items.filter(status=SuggestionStatus.ASSIGNED)
    cases = Case.objects.filter(subject_type=seed.SUBJECT)
    assert cases.count() == assigned.count() == summary.cases > 10
    assert set(cases.values_list("subject_id", flat=True)) == {
        str(pk) for pk in assigned.values_list("pk", flat=True)
    }
    assert len(set(cases.values_list("status", flat=True))) >= 3
    # Every submitted suggestion is on its deputy's duty record, once, as the services file it.
    lodged = items.filter(submitted_at__isnull=False)
    records = DutyRecord.objects.filter(source_type=seed.SUBJECT, kind="suggestion")
    assert records.count() == lodged.count() == summary.duty_records
    assert set(records.values_list("source_id", "mandate_id")) == {
        (str(pk), m) for pk, m in lodged.values_list("pk", "mandate_id")
    }
    assert not records.exclude(status=RecordStatus.CONFIRMED).exists()
    # Units talk with deputies and co-units send their opinions, on the timeline as well.
    contacts = Contact.objects.filter(case__in=cases)
    assert contacts.exists()
    assert not contacts.filter(case__signed_at__isnull=True).exists()
    assert CaseEvent.objects.filter(action="contact", case__in=cases).count() == contacts.count()
    opinions = CaseUnit.objects.filter(case__in=cases, role=UnitRole.CO, opinion_at__isnull=False)
    assert CaseEvent.objects.filter(action="co_opinion", case__in=cases).count() == opinions.count()
    for case in cases:
        lead = CaseUnit.objects.get(case=case, role=UnitRole.LEAD, active=True)
        assert lead.unit_id == case.lead_unit_id
        replies = Reply.objects.filter(case=case).count()
        rated = Evaluation.objects.filter(case=case)
        if case.status in (CaseStatus.REPLIED, CaseStatus.CLOSED, CaseStatus.REOPENED):
            assert replies == 1
        else:
            assert replies == 0
        if case.status == CaseStatus.CLOSED:
            assert rated.get().rating != Rating.UNSATISFIED
            assert case.closed_at
        elif case.status == CaseStatus.REOPENED:
            assert rated.get().rating == Rating.UNSATISFIED
            assert case.round == 2
        else:
            assert not rated.exists()
        assert case.author is not None
        assert case.author.username.startswith("d0")
        assert case.events.filter(action="assign").exists()
    # Numbers are unique per congress, term, session and kind (also a DB constraint).
    dupes = (
        items.exclude(number=None)
        .values("congress", "term", "session", "kind", "number")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not dupes.exists()
    assert (
        SuggestionEvent.objects.filter(action="submit").count()
        == items.exclude(submitted_at=None).count()
    )
    # Timeline times tell the story, not the insertion time.
    assert not SuggestionEvent.objects.filter(at__date__gt=TODAY).exists()
    assert not cases.filter(signed_at__date__gt=TODAY).exists()
    assert not cases.filter(closed_at__date__gt=TODAY).exists()
    board = dashboard.dashboard(
        User.objects.get(username="office"), DashboardFilters(), today=TODAY
    )
    city = cases.filter(region__code__startswith="4304")
    assert board.case_figures.total == city.count() > 0
    assert (
        board.case_figures.overdue
        == city.filter(status__in=OPEN_STATUSES, due_on__lt=TODAY).count()
    )
    assert board.case_figures.replies == Reply.objects.filter(case__in=city).count()


def test_small_seed_is_deterministic() -> None:
    seed.build("small", today=TODAY)
    first = list(Suggestion.objects.order_by("id").values_list("title", "status", "number"))
    Case.objects.all().delete()
    Suggestion.objects.all().delete()
    seed.build("small", today=TODAY)
    again = list(Suggestion.objects.order_by("id").values_list("title", "status", "number"))
    assert first == again
