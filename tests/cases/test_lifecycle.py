"""A case through every step, reassignment, and the Chinese refusals of illegal steps and bad
input."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import QuerySet

from renda.cases import deadlines, services
from renda.cases.models import (
    Case,
    CaseEvent,
    CaseStatus,
    CaseUnit,
    DeadlineRules,
    Evaluation,
    Reply,
    UnitRole,
)
from renda.core.dates import local_date
from renda.core.errors import Conflict, IllegalTransition, InvalidInput, NotFound, NotPermitted
from renda.core.models import AuditEvent, Congress, Organization, User
from renda.notifications.models import Delivery, Notification

from .conftest import SUBJECT, unit_user

pytestmark = pytest.mark.django_db


def u(name: str) -> User:
    return User.objects.get(username=name)


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def test_full_life_cycle(
    make_case: Callable[..., Case],
    unit_org: Organization,
    other_unit: Organization,
    django_capture_on_commit_callbacks: Any,
) -> None:
    co_staff = unit_user(other_unit, "edu_staff")
    case = make_case(co=[other_unit])
    today = local_date()
    rules = DeadlineRules.objects.get(congress=case.congress)
    assert (rules.reply_months, rules.remind_days, rules.escalate_days) == (3, [15, 3], [0, 7, 30])
    assert case.status == CaseStatus.ASSIGNED
    assert case.due_on == deadlines.add_months(today, 3)
    assert case.reassign_until == today + datetime.timedelta(days=7)
    co_unit = CaseUnit.objects.get(case=case, role=UnitRole.CO)
    assert co_unit.opinion_due_on == deadlines.add_months(today, 1)
    # The lead unit's staff and the co-unit's staff were told, in-app and by SMS.
    assigned = Notification.objects.filter(kind="case_assigned", title__contains=case.title)
    assert set(assigned.values_list("recipient__username", flat=True)) == {"unit", "edu_staff"}
    assert Delivery.objects.filter(notification__in=assigned, channel="sms").count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        services.sign(actor=u("unit"), case=case)
        services.record_contact(
            actor=u("unit"),
            case=case,
            method="phone",
            happened_on=today,
            note="电话联系代表,了解小区加装电梯的具体诉求。",
        )
        services.submit_co_opinion(actor=co_staff, case=case, opinion="建议纳入年度改造计划。")
        # The unit's leader answers and signs it themself (the sign-off of a staff member's
        # draft is in test_approval).
        first = services.reply(
            actor=u("unit_leader"),
            case=case,
            result_class="B",
            content="已列入明年老旧小区改造计划。",
            measures="2027 年 6 月前完成。",
        )
    assert first.round == 1
    assert first.on_time
    assert first.due_on == case.due_on
    assert fresh(case).status == CaseStatus.REPLIED
    assert Notification.objects.filter(kind="case_reply", recipient__username="deputy").exists()

    with django_capture_on_commit_callbacks(execute=True):
        reopened = services.rate(
            actor=u("deputy"), case=case, rating="unsatisfied", comment="没有明确的开工时间。"
        )
    assert reopened.status == CaseStatus.REOPENED
    assert reopened.round == 2
    assert reopened.due_on == deadlines.add_months(today, 1)
    assert (
        Notification.objects.filter(
            kind="case_assigned", title__startswith="重新办理", recipient__username="unit"
        ).count()
        == 1
    )

    with django_capture_on_commit_callbacks(execute=True):
        second = services.reply(
            actor=u("unit_leader"),
            case=reopened,
            result_class="A",
            content="已确定 2027 年 3 月开工。",
            measures="",
        )
        closed = services.rate(actor=u("deputy"), case=reopened, rating="satisfied", comment="")
    assert second.round == 2
    assert closed.status == CaseStatus.CLOSED
    assert closed.closed_at is not None
    assert list(Evaluation.objects.filter(case=case).values_list("round", "rating")) == [
        (1, "unsatisfied"),
        (2, "satisfied"),
    ]

    published = services.publish_reply(actor=u("office"), case=case)
    assert published.pk == second.pk
    assert published.published_at is not None
    assert (
        services.publish_reply(actor=u("office"), case=case).published_at == published.published_at
    )

    actions = list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))
    assert actions == [
        "assign",
        "sign",
        "contact",
        "co_opinion",
        "reply",
        "rate",
        "reply",
        "rate",
        "publish",
    ]
    statuses = list(
        CaseEvent.objects.filter(case=case)
        .exclude(to_status="")
        .values_list("to_status", flat=True)
    )
    assert statuses == ["assigned", "signed", "replied", "reopened", "replied", "closed"]
    assert (
        AuditEvent.objects.filter(
            object_type="cases.case", object_id=str(case.pk), action="transition"
        ).count()
        == 5
    )


def _replied(make_case: Callable[..., Case], result: str = "B") -> Case:
    case = make_case()
    services.sign(actor=u("unit"), case=case)
    services.reply(
        actor=u("unit_leader"),
        case=case,
        result_class=result,
        content="答复",
        measures="措施" if result == "B" else "",
    )
    return fresh(case)


def test_promise_done_once_for_b_class(make_case: Callable[..., Case]) -> None:
    case = _replied(make_case, "B")
    services.rate(actor=u("deputy"), case=case, rating="basic", comment="")
    with pytest.raises(InvalidInput) as empty:
        services.report_promise_done(actor=u("unit"), case=case, report=" ")
    assert empty.value.field_errors == {"report": ["请填写承诺事项的完成情况。"]}
    done = services.report_promise_done(actor=u("unit"), case=case, report="电梯已投入使用。")
    assert done.promise_done_at is not None
    assert done.promise_report == "电梯已投入使用。"
    with pytest.raises(Conflict):
        services.report_promise_done(actor=u("unit"), case=case, report="再次报告")
    a_class = _replied(make_case, "A")
    with pytest.raises(InvalidInput, match="只有 B 类答复"):
        services.report_promise_done(actor=u("unit"), case=a_class, report="完成")


# Reassignment --------------------------------------------------------------------------------


def test_reassignment_refused_returns_to_previous_state(make_case: Callable[..., Case]) -> None:
    case = make_case()
    services.sign(actor=u("unit"), case=case)
    with pytest.raises(InvalidInput) as no_reason:
        services.request_reassignment(actor=u("unit"), case=case, reason="")
    assert no_reason.value.field_errors == {"reason": ["请填写申请调整的理由。"]}
    services.request_reassignment(actor=u("unit"), case=case, reason="不属于本单位职责。")
    assert fresh(case).status == CaseStatus.REASSIGN_REQUESTED
    with pytest.raises(InvalidInput) as no_comment:
        services.decide_reassignment(
            actor=u("office"), case=case, approve=False, new_lead_unit=None, comment=""
        )
    assert no_comment.value.field_errors == {"comment": ["请填写不同意调整的理由。"]}
    with pytest.raises(NotPermitted):
        services.decide_reassignment(
            actor=u("leader"), case=case, approve=False, new_lead_unit=None, comment="不同意"
        )
    back = services.decide_reassignment(
        actor=u("office"),
        case=case,
        approve=False,
        new_lead_unit=None,
        comment="属于住建部门职责。",
    )
    assert back.status == CaseStatus.SIGNED
    assert back.status_before_request == ""


def test_reassignment_approved_moves_the_case_and_refuses_the_old_unit(
    make_case: Callable[..., Case],
    unit_org: Organization,
    other_unit: Organization,
    third_unit: Organization,
    django_capture_on_commit_callbacks: Any,
) -> None:
    unit_user(other_unit, "edu_staff")
    case = make_case(co=[third_unit])
    services.request_reassignment(actor=u("unit"), case=case, reason="不属于本单位职责。")
    with pytest.raises(InvalidInput) as no_unit:
        services.decide_reassignment(
            actor=u("office"), case=case, approve=True, new_lead_unit=None, comment=""
        )
    assert no_unit.value.field_errors == {"new_lead_unit": ["请选择承办单位。"]}
    with django_capture_on_commit_callbacks(execute=True):
        moved = services.decide_reassignment(
            actor=u("office"),
            case=case,
            approve=True,
            new_lead_unit=other_unit,
            comment="改由教育局办理。",
        )
    assert moved.status == CaseStatus.ASSIGNED
    assert moved.lead_unit_id == other_unit.pk
    assert moved.due_on == deadlines.add_months(local_date(), 3)
    units = set(CaseUnit.objects.filter(case=case).values_list("unit_id", "role", "active"))
    assert units == {
        (unit_org.pk, "lead", False),
        (other_unit.pk, "lead", True),
        (third_unit.pk, "co", True),
    }
    assert Notification.objects.filter(
        kind="case_assigned", recipient__username="edu_staff", title__contains=case.title
    ).exists()
    # The old unit, with the page still open, tries to reply: refused, nothing stored.
    for attempt in (
        lambda: services.reply(
            actor=u("unit"),
            case=case,
            result_class="A",
            content="答复",
            measures="",
            approved_by_name="李局长",
        ),
        lambda: services.sign(actor=u("unit"), case=case),
    ):
        with pytest.raises(NotPermitted, match="该事项已调整由其他单位承办"):
            attempt()
    assert not Reply.objects.filter(case=case).exists()
    assert fresh(case).status == CaseStatus.ASSIGNED


def test_reassignment_to_a_co_unit_makes_it_the_lead(
    make_case: Callable[..., Case], other_unit: Organization
) -> None:
    case = make_case(co=[other_unit])
    services.request_reassignment(actor=u("unit"), case=case, reason="主要职责在教育局。")
    services.decide_reassignment(
        actor=u("office"), case=case, approve=True, new_lead_unit=other_unit, comment=""
    )
    active = list(CaseUnit.objects.filter(case=case, active=True).values_list("unit_id", "role"))
    assert active == [(other_unit.pk, "lead")]


def test_reassignment_only_within_the_set_days(make_case: Callable[..., Case]) -> None:
    case = make_case()
    Case.objects.filter(pk=case.pk).update(reassign_until=local_date() - datetime.timedelta(days=1))
    with pytest.raises(InvalidInput, match="申请调整的期限已于"):
        services.request_reassignment(actor=u("unit"), case=case, reason="不属于本单位职责。")
    assert fresh(case).status == CaseStatus.ASSIGNED


# Illegal steps -------------------------------------------------------------------------------


def _at(make_case: Callable[..., Case], state: str) -> Case:
    case = make_case()
    if state == "assigned":
        return case
    if state == "reassign":
        services.request_reassignment(actor=u("unit"), case=case, reason="理由")
        return fresh(case)
    services.sign(actor=u("unit"), case=case)
    if state == "signed":
        return fresh(case)
    services.reply(actor=u("unit_leader"), case=case, result_class="A", content="答复", measures="")
    if state == "replied":
        return fresh(case)
    services.rate(
        actor=u("deputy"),
        case=case,
        rating="unsatisfied" if state == "reopened" else "satisfied",
        comment="不满意",
    )
    return fresh(case)


def _reply(case: Case) -> Any:
    return services.reply(
        actor=u("unit_leader"), case=case, result_class="A", content="答复", measures=""
    )


ILLEGAL: list[tuple[str, Callable[[Case], Any], str]] = [
    (
        "signed",
        lambda c: services.sign(actor=u("unit"), case=c),
        "当前状态为“办理中”,不能执行“签收”。",
    ),
    (
        "reassign",
        lambda c: services.sign(actor=u("unit"), case=c),
        "当前状态为“申请调整承办单位”,不能执行“签收”。",
    ),
    (
        "closed",
        lambda c: services.sign(actor=u("unit"), case=c),
        "当前状态为“已办结”,不能执行“签收”。",
    ),
    ("assigned", _reply, "当前状态为“已交办待签收”,不能执行“答复”。"),
    ("reassign", _reply, "当前状态为“申请调整承办单位”,不能执行“答复”。"),
    ("replied", _reply, "当前状态为“已答复待评价”,不能执行“答复”。"),
    ("closed", _reply, "当前状态为“已办结”,不能执行“答复”。"),
    (
        "signed",
        lambda c: services.rate(actor=u("deputy"), case=c, rating="satisfied", comment=""),
        "当前状态为“办理中”,不能执行“评价”。",
    ),
    (
        "closed",
        lambda c: services.rate(actor=u("deputy"), case=c, rating="satisfied", comment=""),
        "当前状态为“已办结”,不能执行“评价”。",
    ),
    (
        "reopened",
        lambda c: services.rate(actor=u("deputy"), case=c, rating="satisfied", comment=""),
        "当前状态为“重新办理”,不能执行“评价”。",
    ),
    (
        "replied",
        lambda c: services.request_reassignment(actor=u("unit"), case=c, reason="理由"),
        "当前状态为“已答复待评价”,不能执行“申请调整承办单位”。",
    ),
    (
        "reopened",
        lambda c: services.request_reassignment(actor=u("unit"), case=c, reason="理由"),
        "当前状态为“重新办理”,不能执行“申请调整承办单位”。",
    ),
    (
        "reassign",
        lambda c: services.request_reassignment(actor=u("unit"), case=c, reason="理由"),
        "当前状态为“申请调整承办单位”,不能执行“申请调整承办单位”。",
    ),
    (
        "signed",
        lambda c: services.decide_reassignment(
            actor=u("office"), case=c, approve=False, new_lead_unit=None, comment="不同意"
        ),
        "当前状态为“办理中”,不能执行“审核调整申请”。",
    ),
    (
        "assigned",
        lambda c: services.publish_reply(actor=u("office"), case=c),
        "当前状态为“已交办待签收”,不能执行“公开答复”。",
    ),
    (
        "closed",
        lambda c: services.supervise(actor=u("office"), case=c, comment="督办"),
        "当前状态为“已办结”,不能执行“督办”。",
    ),
    (
        "closed",
        lambda c: services.record_contact(
            actor=u("unit"), case=c, method="phone", happened_on=local_date(), note="回访"
        ),
        "当前状态为“已办结”,不能执行“记录沟通情况”。",
    ),
]


@pytest.mark.parametrize(
    ("state", "step", "message"), ILLEGAL, ids=[f"{s}-{m}" for s, _f, m in ILLEGAL]
)
def test_illegal_steps_are_refused_in_chinese(
    make_case: Callable[..., Case], state: str, step: Callable[[Case], Any], message: str
) -> None:
    case = _at(make_case, state)
    assert case.status == state
    events = CaseEvent.objects.filter(case=case).count()
    with pytest.raises(IllegalTransition) as refused:
        step(case)
    assert refused.value.message == message
    assert fresh(case).status == state
    assert CaseEvent.objects.filter(case=case).count() == events


def test_co_opinion_refused_after_closing(
    make_case: Callable[..., Case], other_unit: Organization
) -> None:
    staff = unit_user(other_unit, "edu_staff")
    case = make_case(co=[other_unit])
    services.sign(actor=u("unit"), case=case)
    _reply(case)
    services.rate(actor=u("deputy"), case=case, rating="satisfied", comment="")
    with pytest.raises(IllegalTransition) as refused:
        services.submit_co_opinion(actor=staff, case=case, opinion="意见")
    assert refused.value.message == "当前状态为“已办结”,不能执行“提出协办意见”。"


# Bad input -----------------------------------------------------------------------------------


def test_reply_fields_are_checked(make_case: Callable[..., Case], other_unit: Organization) -> None:
    # A unit without a leader account: its staff name the signer themselves.
    staff = unit_user(other_unit, "edu_staff")
    case = make_case(lead=other_unit)
    services.sign(actor=staff, case=case)
    with pytest.raises(InvalidInput) as bad:
        services.reply(
            actor=staff, case=case, result_class="", content="  ", measures="", approved_by_name=""
        )
    assert bad.value.field_errors == {
        "result_class": ["请选择办理结果(A、B 或 C 类)。"],
        "content": ["请填写答复内容。"],
        "approved_by_name": ["请填写单位签发人。"],
    }
    with pytest.raises(InvalidInput) as no_measures:
        services.reply(
            actor=staff,
            case=case,
            result_class="B",
            content="答复",
            measures="",
            approved_by_name="李局长",
        )
    assert no_measures.value.field_errors == {"measures": ["B 类答复须写明承诺的措施和完成时限。"]}
    assert not Reply.objects.filter(case=case).exists()
    assert fresh(case).status == CaseStatus.SIGNED


def test_only_the_author_rates(make_case: Callable[..., Case]) -> None:
    case = _replied(make_case, "A")
    for name in ("office", "unit", "leader"):
        with pytest.raises(NotPermitted) as refused:
            services.rate(actor=u(name), case=case, rating="satisfied", comment="")
        assert refused.value.message == "只有提出人可以评价答复。"
    with pytest.raises(NotFound):
        services.rate(actor=u("citizen"), case=case, rating="satisfied", comment="")
    with pytest.raises(InvalidInput) as why:
        services.rate(actor=u("deputy"), case=case, rating="unsatisfied", comment="")
    assert why.value.field_errors == {"comment": ["不满意时请写明理由,便于承办单位重新办理。"]}
    with pytest.raises(InvalidInput) as which:
        services.rate(actor=u("deputy"), case=case, rating="great", comment="")
    assert which.value.field_errors == {"rating": ["请选择满意、基本满意或不满意。"]}
    assert not Evaluation.objects.filter(case=case).exists()


def test_contact_and_co_opinion_input(
    make_case: Callable[..., Case], other_unit: Organization
) -> None:
    staff = unit_user(other_unit, "edu_staff")
    case = make_case(co=[other_unit])
    tomorrow = local_date() + datetime.timedelta(days=1)
    with pytest.raises(InvalidInput) as bad:
        services.record_contact(
            actor=u("unit"), case=case, method="fax", happened_on=tomorrow, note=""
        )
    assert bad.value.field_errors == {
        "method": ["请选择沟通方式。"],
        "happened_on": ["沟通日期不能晚于今天。"],
        "note": ["请填写沟通情况。"],
    }
    with pytest.raises(InvalidInput) as empty:
        services.submit_co_opinion(actor=staff, case=case, opinion="")
    assert empty.value.field_errors == {"opinion": ["请填写协办意见。"]}
    # The lead unit is not a co-unit; the co-unit does not handle.
    with pytest.raises(NotPermitted):
        services.submit_co_opinion(actor=u("unit"), case=case, opinion="意见")
    with pytest.raises(NotPermitted):
        services.sign(actor=staff, case=case)
    # A co-unit may record its own contact with the author.
    contact = services.record_contact(
        actor=staff, case=case, method="visit", happened_on=local_date(), note="上门走访。"
    )
    assert contact.unit_id == other_unit.pk


def test_assign_input_and_permission(
    city_congress: Any, unit_org: Organization, make_case: Callable[..., Case]
) -> None:
    def assign(by: str = "office", **kw: Any) -> Case:
        values: dict[str, Any] = {
            "subject_type": SUBJECT,
            "subject_id": "bad-1",
            "title": "标题",
            "congress": city_congress,
            "author": None,
            "lead_unit": unit_org,
        }
        values.update(kw)
        return services.assign(actor=u(by), **values)

    with pytest.raises(NotPermitted):
        assign(by="unit")
    with pytest.raises(NotPermitted):
        assign(by="county_office")
    office_org = Organization.objects.get(region_id=city_congress.region_id, kind="congress_office")
    with pytest.raises(InvalidInput) as bad:
        assign(title=" ", lead_unit=office_org, co_units=[office_org])
    assert set(bad.value.field_errors) == {"title", "lead_unit", "co_units"}
    with pytest.raises(InvalidInput) as same:
        assign(co_units=[unit_org])
    assert same.value.field_errors == {"co_units": ["主办单位不能同时是协办单位。"]}
    # A city unit is outside a county congress's jurisdiction.
    county_congress = Congress.objects.get(region_id="430421000000")
    with pytest.raises(InvalidInput) as outside:
        services.assign(
            actor=u("county_office"),
            subject_type=SUBJECT,
            subject_id="bad-2",
            title="标题",
            congress=county_congress,
            author=None,
            lead_unit=unit_org,
        )
    assert outside.value.field_errors == {
        "lead_unit": [f"“{unit_org.name}”不在{county_congress.name}的辖区内。"]
    }


def test_second_assignment_of_a_subject_is_refused(
    make_case: Callable[..., Case],
    city_congress: Any,
    unit_org: Organization,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = make_case()

    def again() -> Case:
        return services.assign(
            actor=u("office"),
            subject_type=SUBJECT,
            subject_id=case.subject_id,
            title="重复",
            congress=city_congress,
            author=None,
            lead_unit=unit_org,
        )

    with pytest.raises(Conflict) as seen:
        again()
    assert seen.value.message == "该事项已交办,请刷新后查看。"
    # The race: the other office user's case committed after our check. The unique constraint
    # refuses the insert and the user gets the same message.
    monkeypatch.setattr(QuerySet, "exists", lambda self: False)
    with pytest.raises(Conflict) as raced:
        again()
    assert raced.value.message == "该事项已交办,请刷新后查看。"
    monkeypatch.undo()
    assert Case.objects.filter(subject_type=SUBJECT, subject_id=case.subject_id).count() == 1
    assert CaseUnit.objects.filter(case__subject_id=case.subject_id).count() == 1


def test_supervise_notifies_the_lead_unit(
    make_case: Callable[..., Case], django_capture_on_commit_callbacks: Any
) -> None:
    case = make_case(is_key=True, supervisor=u("leader"))
    with pytest.raises(InvalidInput):
        services.supervise(actor=u("leader"), case=case, comment="")
    with django_capture_on_commit_callbacks(execute=True):
        event = services.supervise(actor=u("leader"), case=case, comment="请加快办理进度。")
    assert event.action == "supervise"
    assert event.actor_name
    assert Notification.objects.filter(
        kind="case_progress", recipient__username="unit", title__startswith="督办"
    ).exists()
    with pytest.raises(NotFound):
        services.supervise(actor=u("county_office"), case=case, comment="督办")
