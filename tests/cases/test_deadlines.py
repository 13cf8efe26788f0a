"""Deadline arithmetic (calendar months, Beijing dates) and the congress's own rules."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from renda.cases import deadlines, selectors, services
from renda.cases.models import Case, CaseUnit, DeadlineRules, UnitRole
from renda.core.dates import local_date
from renda.core.errors import InvalidInput, NotPermitted
from renda.core.models import Congress, Organization, User

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),
        (D(2026, 3, 31), 3, D(2026, 6, 30)),
        (D(2026, 8, 31), 6, D(2027, 2, 28)),
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
        (D(2026, 12, 15), 1, D(2027, 1, 15)),
        (D(2026, 5, 20), 12, D(2027, 5, 20)),
    ],
)
def test_calendar_months(day: datetime.date, months: int, expected: datetime.date) -> None:
    assert deadlines.add_months(day, months) == expected


def _at(monkeypatch: pytest.MonkeyPatch, moment: datetime.datetime) -> None:
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_deadlines_count_from_the_beijing_date(
    make_case: Callable[..., Case], other_unit: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 17:30 UTC on 31 January is 01:30 on 1 February in Beijing.
    _at(monkeypatch, datetime.datetime(2026, 1, 31, 17, 30, tzinfo=datetime.UTC))
    late = make_case()
    assert late.due_on == D(2026, 5, 1)
    assert late.reassign_until == D(2026, 2, 8)
    _at(monkeypatch, datetime.datetime(2026, 1, 31, 3, 0, tzinfo=datetime.UTC))
    early = make_case(co=[other_unit])
    assert early.due_on == D(2026, 4, 30)
    assert early.reassign_until == D(2026, 2, 7)
    assert CaseUnit.objects.get(case=early, role=UnitRole.CO).opinion_due_on == D(2026, 2, 28)
    complex_case = make_case(is_complex=True)
    assert complex_case.due_on == D(2026, 7, 31)


def test_reopening_gives_reopen_months_from_the_rating(
    make_case: Callable[..., Case], monkeypatch: pytest.MonkeyPatch
) -> None:
    _at(monkeypatch, datetime.datetime(2026, 1, 5, 2, 0, tzinfo=datetime.UTC))
    case = make_case()
    unit = User.objects.get(username="unit")
    services.sign(actor=unit, case=case)
    leader = User.objects.get(username="unit_leader")
    services.reply(actor=leader, case=case, result_class="C", content="条件限制。", measures="")
    _at(monkeypatch, datetime.datetime(2026, 3, 31, 1, 0, tzinfo=datetime.UTC))
    reopened = services.rate(
        actor=User.objects.get(username="deputy"),
        case=case,
        rating="unsatisfied",
        comment="未解决。",
    )
    assert reopened.due_on == D(2026, 4, 30)
    # A late reply is recorded as late, against the deadline it answered.
    _at(monkeypatch, datetime.datetime(2026, 5, 2, 1, 0, tzinfo=datetime.UTC))
    late = services.reply(
        actor=leader, case=reopened, result_class="A", content="已解决。", measures=""
    )
    assert (late.due_on, late.on_time) == (D(2026, 4, 30), False)


def test_rules_are_created_once_and_can_be_changed(
    city_congress: Congress, make_case: Callable[..., Case]
) -> None:
    DeadlineRules.objects.filter(congress=city_congress).delete()
    rules = selectors.rules_for(city_congress)
    assert selectors.rules_for(city_congress.pk).pk == rules.pk
    assert (rules.remind_days, rules.escalate_days) == ([15, 3], [0, 7, 30])
    # Reading the rules writes nothing: the defaults are stored by the services that need them.
    assert not DeadlineRules.objects.filter(congress=city_congress).exists()
    office = User.objects.get(username="office")
    with pytest.raises(NotPermitted):
        services.set_rules(
            actor=User.objects.get(username="county_office"),
            congress=city_congress,
            reply_months=2,
            complex_reply_months=4,
            co_unit_months=1,
            reopen_months=1,
            reassign_days=5,
            remind_days=[10],
            escalate_days=[0],
        )
    with pytest.raises(InvalidInput) as bad:
        services.set_rules(
            actor=office,
            congress=city_congress,
            reply_months=0,
            complex_reply_months=4,
            co_unit_months=1,
            reopen_months=1,
            reassign_days=5,
            remind_days=[-1],
            escalate_days=[0],
        )
    assert set(bad.value.field_errors) == {"reply_months", "remind_days"}
    services.set_rules(
        actor=office,
        congress=city_congress,
        reply_months=2,
        complex_reply_months=4,
        co_unit_months=1,
        reopen_months=1,
        reassign_days=5,
        remind_days=[3, 10],
        escalate_days=[0, 14],
    )
    case = make_case()
    today = local_date()
    assert case.due_on == deadlines.add_months(today, 2)
    assert case.reassign_until == today + datetime.timedelta(days=5)
    stored = DeadlineRules.objects.get(congress=city_congress)
    assert (stored.remind_days, stored.escalate_days) == ([10, 3], [0, 14])


def test_rules_default_row_per_congress(make_case: Callable[..., Case], **_: Any) -> None:
    county = Congress.objects.get(region_id="430421000000")
    DeadlineRules.objects.filter(congress=county).delete()
    from .conftest import county_unit

    make_case(congress=county, lead=county_unit("430421000000"), by="county_office")
    assert DeadlineRules.objects.filter(congress=county).count() == 1
