"""Lists, the unit's to-do list, one case with its history, and dashboard figures that equal
counts made directly from the records."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable

import pytest

from renda.cases import selectors, services
from renda.cases.models import Case, CaseStatus, Evaluation, Reply
from renda.core.dates import local_date
from renda.core.errors import NotFound
from renda.core.models import Organization, User

from .conftest import SUBJECT, unit_user

pytestmark = pytest.mark.django_db


def u(name: str) -> User:
    return User.objects.get(username=name)


@pytest.fixture
def world(
    make_case: Callable[..., Case],
    unit_org: Organization,
    other_unit: Organization,
    third_unit: Organization,
) -> dict[str, Case]:
    """Cases in every state, over three units, some overdue."""
    unit, deputy, leader = u("unit"), u("deputy"), u("unit_leader")
    edu = unit_user(other_unit, "edu_staff")
    made: dict[str, Case] = {}
    made["assigned"] = make_case()
    made["assigned_other"] = make_case(lead=other_unit, co=[unit_org], is_key=True)
    made["signed"] = make_case()
    services.sign(actor=unit, case=made["signed"])
    made["reassign"] = make_case()
    services.request_reassignment(actor=unit, case=made["reassign"], reason="职责不符。")
    for name, result, rating in (
        ("closed_a", "A", "satisfied"),
        ("closed_b", "B", "basic"),
        ("reopened", "C", "unsatisfied"),
        ("replied", "A", None),
        ("edu_closed", "C", "satisfied"),
    ):
        lead = other_unit if name.startswith("edu") else unit_org
        staff = edu if name.startswith("edu") else unit
        case = made[name] = make_case(lead=lead)
        services.sign(actor=staff, case=case)
        # The housing bureau's leader signs their own reply; the education bureau has no
        # leader account, so its staff send theirs.
        services.reply(
            actor=edu if name.startswith("edu") else leader,
            case=case,
            result_class=result,
            content="答复",
            measures="措施",
            approved_by_name="李局长",
        )
        if rating:
            services.rate(actor=deputy, case=case, rating=rating, comment="理由")
    made["third"] = make_case(lead=third_unit, author=None)
    today = local_date()
    yesterday = today - datetime.timedelta(days=1)
    for name in ("assigned", "signed", "third"):
        Case.objects.filter(pk=made[name].pk).update(due_on=yesterday)
    # A late reply.
    Reply.objects.filter(case=made["closed_b"]).update(on_time=False)
    return {k: Case.objects.get(pk=v.pk) for k, v in made.items()}


def test_figures_equal_direct_counts(world: dict[str, Case]) -> None:
    ours = Case.objects.filter(subject_type=SUBJECT)
    got = selectors.figures(ours)
    cases = list(ours)
    today = local_date()
    assert got.total == len(cases) == len(world)
    assert got.by_status == {s: sum(c.status == s for c in cases) for s in CaseStatus.values}
    assert got.overdue == sum(c.is_open and c.due_on < today for c in cases) == 3
    signed = sum(
        c.signed_at is not None or c.status in ("replied", "reopened", "closed") for c in cases
    )
    assert got.signed == signed
    assert got.sign_rate == round(signed / len(cases), 4)
    replies = list(Reply.objects.filter(case__in=cases))
    assert (got.replies, got.on_time_replies) == (len(replies), sum(r.on_time for r in replies))
    ratings = list(Evaluation.objects.filter(case__in=cases))
    satisfied = sum(e.rating in ("satisfied", "basic") for e in ratings)
    assert got.ratings == len(ratings) == 4
    assert got.satisfaction_rate == round(satisfied / len(ratings), 4)
    latest: dict[int, Reply] = {}
    for r in sorted(replies, key=lambda r: r.round):
        latest[r.case_id] = r
    by_class = Counter(r.result_class for r in latest.values())
    assert got.by_class == {c: by_class.get(c, 0) for c in "ABC"}
    shares = got.class_shares
    assert shares["A"] == round(by_class["A"] / len(latest), 4)
    assert abs(sum(v or 0 for v in shares.values()) - 1) < 0.001


def test_figures_by_unit_equal_direct_counts(world: dict[str, Case]) -> None:
    ours = Case.objects.filter(subject_type=SUBJECT)
    today = local_date()
    rows = {r.unit_id: r for r in selectors.figures_by_unit(ours)}
    for unit_id, row in rows.items():
        mine = [c for c in ours if c.lead_unit_id == unit_id]
        assert row.total == len(mine)
        assert row.open == sum(c.is_open for c in mine)
        assert row.overdue == sum(c.is_open and c.due_on < today for c in mine)
        assert row.closed == sum(c.status == "closed" for c in mine)
    assert sum(r.total for r in rows.values()) == len(world)


def test_figures_with_units_equal_the_separate_figures(world: dict[str, Case]) -> None:
    ours = Case.objects.filter(subject_type=SUBJECT)
    assert selectors.figures_with_units(ours) == (
        selectors.figures(ours),
        selectors.figures_by_unit(ours),
    )
    none = selectors.figures_with_units(ours.none())
    assert (none[0].total, none[0].replies, none[0].ratings, none[1]) == (0, 0, 0, [])
    assert none[0].by_status == dict.fromkeys(CaseStatus.values, 0)


def test_lists_follow_the_policy_and_filters(
    world: dict[str, Case], unit_org: Organization, other_unit: Organization
) -> None:
    unit_sees = set(
        selectors.cases_for(u("unit"), subject_type=SUBJECT).values_list("pk", flat=True)
    )
    expected = {c.pk for k, c in world.items() if c.lead_unit_id == unit_org.pk}
    expected.add(world["assigned_other"].pk)  # as co-unit
    assert unit_sees == expected
    office = u("office")
    assert selectors.cases_for(office, subject_type=SUBJECT).count() == len(world)
    assert selectors.cases_for(u("county_office"), subject_type=SUBJECT).count() == 0
    assert set(
        selectors.cases_for(office, subject_type=SUBJECT, overdue=True).values_list("pk", flat=True)
    ) == {world[k].pk for k in ("assigned", "signed", "third")}
    assert (
        selectors.cases_for(office, subject_type=SUBJECT, overdue=False).count() == len(world) - 3
    )
    assert list(selectors.cases_for(office, subject_type=SUBJECT, key=True)) == [
        world["assigned_other"]
    ]
    assert selectors.cases_for(office, subject_type=SUBJECT, status="closed").count() == 3
    by_unit = selectors.cases_for(office, subject_type=SUBJECT, unit=other_unit.pk)
    assert {c.pk for c in by_unit} == {world["assigned_other"].pk, world["edu_closed"].pk}
    deputy_sees = selectors.cases_for(u("deputy"), subject_type=SUBJECT)
    assert deputy_sees.count() == len(world) - 1  # all but the one without an author


def test_unit_todo(world: dict[str, Case]) -> None:
    todo = list(selectors.unit_todo(u("unit"), subject_type=SUBJECT))
    names = {k for k, c in world.items() if c in todo}
    # Lead: to sign, in hand, reopened; co-unit: an opinion still owed. Not the case waiting
    # for the office's reassignment decision, nor replied or closed ones.
    assert names == {"assigned", "signed", "reopened", "assigned_other"}
    assert [c.due_on for c in todo] == sorted(c.due_on for c in todo)


def test_case_detail_with_history(world: dict[str, Case]) -> None:
    case = world["reopened"]
    detail = selectors.case_detail(u("deputy"), pk=case.pk)
    assert [e.action for e in detail.events] == ["assign", "sign", "reply", "rate"]
    assert [r.round for r in detail.replies] == [1]
    assert [r.rating for r in detail.ratings] == ["unsatisfied"]
    assert detail.lead is not None
    assert detail.lead.unit_id == case.lead_unit_id
    same = selectors.case_detail(u("office"), subject_type=SUBJECT, subject_id=case.subject_id)
    assert same.case.pk == case.pk
    with pytest.raises(NotFound):
        selectors.case_detail(u("county_office"), pk=case.pk)
    with pytest.raises(NotFound):
        selectors.case_detail(u("unit"), pk=world["third"].pk)
    assert selectors.case_for_subject(SUBJECT, case.subject_id) == case
