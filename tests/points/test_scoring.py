"""Scoring: rule points in date order up to the yearly cap, absences, bonuses, the year of a
fact, totals for every serving deputy, and recomputation that is a replacement."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from renda.duties.models import (
    ActivityKind,
    ActivityStatus,
    AttendanceStatus,
    RecordSource,
    RecordStatus,
)
from renda.points import scoring, services
from renda.points.models import PointEntry, PointRuleSet, PointTotal, RuleCode
from renda.points.scoring import SHANGHAI
from tests.points.conftest import YEAR, absence, entries, other_mandate, own_mandate, record

pytestmark = pytest.mark.django_db


def test_points_in_date_order_until_the_yearly_cap(scored: Any) -> None:
    mandate = own_mandate()
    # Twelve meetings at 2 points with a cap of 20, created out of date order.
    for day in reversed(range(1, 13)):
        record(mandate, ActivityKind.MEETING, datetime.date(YEAR, day, 3))
    got = scored(mandate)
    assert [e.points for e in got] == [Decimal(2)] * 10 + [Decimal(0)] * 2
    assert [e.occurred_on.month for e in got] == list(range(1, 13))
    assert all(e.base_points == 2 for e in got)
    assert {e.note for e in got[10:]} == {"已达年度上限"}
    assert got[0].note == ""
    total = PointTotal.objects.get(mandate=mandate, rule_set__year=YEAR, rule_set__is_current=True)
    assert (total.points, total.entries) == (Decimal(20), 12)


def test_partial_room_under_the_cap_counts_what_is_left() -> None:
    rules = {"survey": scoring.Rule(Decimal(3), Decimal(10))}
    sources = [
        scoring.Source(
            mandate_id=1,
            region_id="x",
            code="survey",
            occurred_on=datetime.date(YEAR, 1, d),
            record_id=d,
            order=d,
        )
        for d in range(1, 6)
    ]
    points = [s.points for s in scoring.score(sources, rules)]
    assert points == [3, 3, 3, 1, 0]


def test_only_confirmed_records_of_the_year_count(scored: Any) -> None:
    mandate = own_mandate()
    counted = record(mandate, ActivityKind.SURVEY, datetime.date(YEAR, 6, 1))
    record(mandate, ActivityKind.SURVEY, datetime.date(YEAR, 6, 2), status=RecordStatus.SUBMITTED)
    record(mandate, ActivityKind.SURVEY, datetime.date(YEAR, 6, 3), status=RecordStatus.RETURNED)
    record(mandate, ActivityKind.SURVEY, datetime.date(YEAR - 1, 12, 31))
    got = scored(mandate)
    assert [(e.record_id, e.code, e.points) for e in got] == [(counted.pk, "survey", Decimal(3))]


def test_absences_deduct_only_when_the_activity_is_closed(scored: Any) -> None:
    mandate = own_mandate()
    missed = absence(mandate)
    absence(mandate, status=AttendanceStatus.LEAVE)
    absence(mandate, activity_status=ActivityStatus.PLANNED)
    absence(mandate, activity_status=ActivityStatus.CANCELLED)
    got = scored(mandate)
    assert [(e.invitation_id, e.code, e.points) for e in got] == [
        (missed.pk, RuleCode.ABSENCE, Decimal(-2))
    ]


def test_an_absence_counts_in_the_beijing_year_of_the_activity(scored: Any) -> None:
    mandate = own_mandate()
    # 31 December 20:00 UTC is already 1 January in Beijing.
    late = absence(mandate, datetime.datetime(YEAR, 12, 31, 20, 0, tzinfo=datetime.UTC))
    assert scored(mandate) == []
    got = scored(mandate, year=YEAR + 1)
    assert [(e.invitation_id, e.occurred_on) for e in got] == [
        (late.pk, datetime.date(YEAR + 1, 1, 1))
    ]


def test_bonus_records_from_the_suggestions_module_score_their_bonus(scored: Any) -> None:
    mandate = own_mandate()
    record(
        mandate,
        ActivityKind.SUGGESTION,
        source=RecordSource.MODULE,
        source_type="suggestions.suggestion",
        source_id="42",
    )
    bonus = record(
        mandate,
        ActivityKind.SUGGESTION,
        source=RecordSource.MODULE,
        source_type="suggestions.class_a",
        source_id="42",
    )
    got = {e.code: e for e in scored(mandate)}
    assert got[RuleCode.SUGGESTION].points == 3
    assert got[RuleCode.SUGGESTION_CLASS_A].points == 2
    assert got[RuleCode.SUGGESTION_CLASS_A].record_id == bonus.pk


def test_recomputing_is_a_replacement(scored: Any) -> None:
    mandate = own_mandate()
    record(mandate)
    absence(mandate)
    first = [(e.code, e.record_id, e.invitation_id, e.points) for e in scored(mandate)]
    second = [(e.code, e.record_id, e.invitation_id, e.points) for e in scored(mandate)]
    assert first == second
    assert len(first) == 2
    assert PointTotal.objects.filter(mandate=mandate, rule_set__year=YEAR).count() == 1


def test_whole_year_matches_the_per_deputy_path_and_gives_every_deputy_a_total() -> None:
    mine, other = own_mandate(), other_mandate()
    for day in range(1, 15):
        record(mine, ActivityKind.RECEPTION, datetime.date(YEAR, 1, day))
    record(other, ActivityKind.TRAINING, datetime.date(YEAR, 2, 1))
    absence(other)
    services.recompute_mandates(mandate_ids=[mine.pk, other.pk], year=YEAR)
    per_deputy = sorted(
        PointEntry.objects.filter(rule_set__year=YEAR).values_list(
            "mandate_id", "code", "points", "note"
        )
    )
    written = services.recompute_year(congress_id=mine.term.congress_id, year=YEAR)
    bulk = sorted(
        PointEntry.objects.filter(rule_set__year=YEAR).values_list(
            "mandate_id", "code", "points", "note"
        )
    )
    assert bulk == per_deputy
    assert written == 14 + 2
    rule_set = PointRuleSet.objects.get(
        congress_id=mine.term.congress_id, year=YEAR, is_current=True
    )
    assert rule_set.computed_at is not None
    totals = dict(PointTotal.objects.filter(rule_set=rule_set).values_list("mandate_id", "points"))
    assert totals[mine.pk] == 36  # reception: 3 points, capped at 36
    assert totals[other.pk] == 0  # training 2, absence -2
    # Serving deputies without any record get a zero total too.
    assert len(totals) > 2
    assert sorted(set(totals.values()) - {Decimal(36)}) == [Decimal(0)]


def test_request_rescore_runs_the_task_after_commit(
    django_capture_on_commit_callbacks: Any,
) -> None:
    mandate = own_mandate()
    record(mandate)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.request_rescore(mandate_ids=[mandate.pk, mandate.pk], year=YEAR)
        assert entries(mandate) == []
    assert len(callbacks) == 1
    assert [e.points for e in entries(mandate)] == [Decimal(2)]


def test_ensure_rule_set_creates_the_default_table_once() -> None:
    congress = own_mandate().term.congress
    first = services.ensure_rule_set(congress=congress, year=2030)
    again = services.ensure_rule_set(congress=congress, year=2030)
    assert first.pk == again.pk
    assert (first.version, first.is_current) == (1, True)
    assert first.rules.count() == len(services.DEFAULT_RULES)


def test_bulk_recompute_applies_the_caps_to_every_deputy() -> None:
    """The bulk path the seed uses (tens of thousands of records per congress; its speed is
    measured by `renda bench ledger`): 25 each of three kinds per deputy, capped per kind."""
    from renda.duties.models import DutyRecord
    from renda.points.models import PointTotal

    mandates = list(own_mandate().term.mandates.all()[:40])
    rows = [
        DutyRecord(
            mandate=m,
            region_id=m.region_id,
            kind=kind,
            title="批量",
            source=RecordSource.SELF,
            status=RecordStatus.CONFIRMED,
            occurred_on=datetime.date(YEAR, 1, 1) + datetime.timedelta(days=i % 360),
        )
        for m in mandates
        for i, kind in enumerate(
            [ActivityKind.MEETING, ActivityKind.SURVEY, ActivityKind.RECEPTION] * 25
        )
    ]
    DutyRecord.objects.bulk_create(rows)
    written = services.recompute_year(congress_id=mandates[0].term.congress_id, year=YEAR)
    assert written == len(rows)
    # Caps of the default table: meeting 20, survey 30, reception 36.
    totals = dict(
        PointTotal.objects.filter(
            rule_set__is_current=True, rule_set__year=YEAR, mandate__in=mandates
        ).values_list("mandate_id", "points")
    )
    assert set(totals.values()) == {Decimal(86)}
    assert len(totals) == len(mandates)


def test_tenure_days_in_the_year() -> None:
    from renda.points import selectors

    mandate = own_mandate()
    assert selectors.tenure_days(mandate, YEAR) == 365
    mandate.elected_on = datetime.date(YEAR, 10, 1)
    assert selectors.tenure_days(mandate, YEAR) == 92
    mandate.elected_on = datetime.date(2021, 10, 1)
    mandate.ended_on = datetime.date(YEAR, 1, 31)
    assert selectors.tenure_days(mandate, YEAR) == 31
    assert selectors.tenure_days(mandate, YEAR + 1) == 0
    assert SHANGHAI.key == "Asia/Shanghai"


def test_confirming_a_record_in_the_duties_app_scores_it(
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The contract with the duties services: a confirmation asks for a rescore, which runs
    once the confirmation has committed."""
    from renda.core.models import User
    from renda.duties import services as duties_services

    mandate = own_mandate()
    report = record(
        mandate, ActivityKind.RECEPTION, datetime.date(YEAR, 7, 1), status=RecordStatus.SUBMITTED
    )
    with django_capture_on_commit_callbacks(execute=True):
        duties_services.review(
            actor=User.objects.get(username="county_office"), record=report, decision="confirm"
        )
    assert [(e.record_id, e.points) for e in entries(mandate)] == [(report.pk, Decimal(3))]
    # A module bonus goes through the same path.
    with django_capture_on_commit_callbacks(execute=True):
        duties_services.record_from_module(
            mandate=mandate,
            kind=ActivityKind.SUGGESTION,
            title="建议办理结果为A类",
            occurred_on=datetime.date(YEAR, 8, 1),
            source_type="suggestions.class_a",
            source_id="7",
        )
    assert [e.code for e in entries(mandate)] == [RuleCode.RECEPTION, RuleCode.SUGGESTION_CLASS_A]
