"""The sign-off of replies inside the lead unit (签发): a staff member's reply, in a unit with a
leader account, is a draft until the leader signs it off (then it is sent) or returns it with
a reason (the staff revise and submit again); a leader's own reply is signed by them; a unit
without a leader account keeps sending with the typed signer's name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from renda.cases import selectors, services
from renda.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseStatus,
    DraftDecision,
    Reply,
    ReplyDraft,
)
from renda.core import services as core_services
from renda.core.dates import local_date
from renda.core.errors import IllegalTransition, InvalidInput, NotFound, NotPermitted
from renda.core.models import AuditEvent, Organization, Person, Role, User
from renda.notifications.models import Notification

from .conftest import unit_user

pytestmark = pytest.mark.django_db

CONTENT = "我局已将该小区纳入明年改造计划。"


def u(name: str) -> User:
    return User.objects.get(username=name)


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def leader_of(org: Organization, username: str) -> User:
    """An account holding Role.UNIT_LEADER on ``org``."""
    person = Person.objects.create(
        name=f"{org.short_name or org.name}负责人", region_id=org.region_id, phone="13800000002"
    )
    user = User.objects.create(username=username, person=person)
    core_services.grant_role(
        actor=None, user=user, role=Role.UNIT_LEADER, region=org.region, organization=org
    )
    return user


def draft(
    case: Case, content: str = CONTENT, result_class: str = "A", measures: str = ""
) -> ReplyDraft:
    made = services.reply(
        actor=u("unit"),
        case=case,
        result_class=result_class,
        content=content,
        measures=measures,
        approved_by_name="",
    )
    assert isinstance(made, ReplyDraft)
    return made


def inbox(username: str, kind: str, case: Case) -> list[Notification]:
    return list(
        Notification.objects.filter(
            recipient__username=username, kind=kind, title__contains=case.title
        )
    )


@pytest.fixture
def signed(make_case: Callable[..., Case]) -> Case:
    case = make_case()
    services.sign(actor=u("unit"), case=case)
    return fresh(case)


# The workflow --------------------------------------------------------------------------------


def test_staff_draft_then_leader_signs_off_and_the_author_is_told(
    signed: Case, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        pending = draft(signed, result_class="B", measures="2027 年 6 月前完成。")
    case = fresh(signed)
    assert case.status == CaseStatus.DRAFTED
    assert case.is_open
    assert CaseStatus.DRAFTED in OPEN_STATUSES
    assert (pending.decision, pending.round, pending.from_status) == (
        DraftDecision.PENDING,
        1,
        CaseStatus.SIGNED,
    )
    assert pending.drafted_by == u("unit")
    assert not Reply.objects.filter(case=case).exists()
    # The leader is asked to sign off, with a link to the case page; the author hears nothing.
    asked = inbox("unit_leader", "case_sign_off", case)
    assert len(asked) == 1
    assert asked[0].url == reverse("cases:detail", args=[case.pk])
    assert not inbox("deputy", "case_reply", case)

    with django_capture_on_commit_callbacks(execute=True):
        answer = services.approve_reply(actor=u("unit_leader"), case=case, comment="同意")
    case = fresh(case)
    assert case.status == CaseStatus.REPLIED
    assert case.replied_at == answer.sent_at
    leader = u("unit_leader")
    assert (answer.approved_by, answer.approved_by_name) == (leader, leader.display_name)
    assert answer.sent_by == u("unit")
    assert (answer.result_class, answer.content, answer.measures) == (
        "B",
        CONTENT,
        "2027 年 6 月前完成。",
    )
    assert (answer.round, answer.due_on, answer.on_time) == (1, case.due_on, True)
    pending.refresh_from_db()
    assert (pending.decision, pending.decided_by, pending.reply, pending.comment) == (
        DraftDecision.APPROVED,
        leader,
        answer,
        "同意",
    )
    assert inbox("deputy", "case_reply", case)
    assert inbox("unit", "case_sign_off", case)
    assert selectors.reply_draft(case) is None


def test_return_needs_a_reason_then_the_staff_revise_and_resubmit(
    signed: Case, django_capture_on_commit_callbacks: Any
) -> None:
    first = draft(signed, content="初稿。")
    with pytest.raises(InvalidInput) as no_reason:
        services.return_reply(actor=u("unit_leader"), case=signed, comment="  ")
    assert no_reason.value.field_errors == {"comment": ["请填写退回修改的理由。"]}
    assert fresh(signed).status == CaseStatus.DRAFTED

    with django_capture_on_commit_callbacks(execute=True):
        returned = services.return_reply(
            actor=u("unit_leader"), case=signed, comment="请写明开工时间。"
        )
    case = fresh(signed)
    assert case.status == CaseStatus.SIGNED
    assert (returned.pk, returned.decision, returned.comment) == (
        first.pk,
        DraftDecision.RETURNED,
        "请写明开工时间。",
    )
    assert returned.content == "初稿。"
    told = inbox("unit", "case_sign_off", case)
    assert len(told) == 1
    assert "请写明开工时间" in told[0].body
    # The returned draft is what the staff revise.
    assert selectors.reply_draft(case) == returned

    second = draft(case, content="修改稿:2027 年 3 月开工。")
    assert second.pk != first.pk
    assert fresh(case).status == CaseStatus.DRAFTED
    services.approve_reply(actor=u("unit_leader"), case=case)
    assert Reply.objects.get(case=case).content == "修改稿:2027 年 3 月开工。"
    assert list(
        ReplyDraft.objects.filter(case=case).order_by("id").values_list("decision", flat=True)
    ) == ["returned", "approved"]


def test_a_reopened_round_is_drafted_and_returned_to_reopened(
    make_case: Callable[..., Case],
) -> None:
    case = make_case()
    services.sign(actor=u("unit"), case=case)
    services.reply(
        actor=u("unit_leader"), case=case, result_class="C", content="留作参考。", measures=""
    )
    services.rate(actor=u("deputy"), case=case, rating="unsatisfied", comment="没有解决。")
    reopened = fresh(case)
    assert (reopened.status, reopened.round) == (CaseStatus.REOPENED, 2)
    assert draft(reopened).from_status == CaseStatus.REOPENED
    services.return_reply(actor=u("unit_leader"), case=reopened, comment="重写。")
    assert fresh(case).status == CaseStatus.REOPENED
    draft(fresh(case))
    second = services.approve_reply(actor=u("unit_leader"), case=fresh(case))
    assert second.round == 2
    assert fresh(case).status == CaseStatus.REPLIED


# Who may sign off ----------------------------------------------------------------------------


def test_staff_cannot_sign_off_or_return(signed: Case) -> None:
    draft(signed)
    for step in (
        lambda: services.approve_reply(actor=u("unit"), case=signed),
        lambda: services.return_reply(actor=u("unit"), case=signed, comment="退回"),
    ):
        with pytest.raises(NotPermitted) as refused:
            step()
        assert refused.value.message == "只有主办单位的负责人可以签发或退回答复。"
    assert fresh(signed).status == CaseStatus.DRAFTED
    assert not Reply.objects.filter(case=signed).exists()


def test_a_co_units_leader_cannot_sign_off(
    make_case: Callable[..., Case], other_unit: Organization
) -> None:
    co_leader = leader_of(other_unit, "edu_leader")
    case = make_case(co=[other_unit])
    services.sign(actor=u("unit"), case=case)
    draft(case)
    with pytest.raises(NotPermitted):
        services.approve_reply(actor=co_leader, case=case)
    with pytest.raises(NotPermitted):
        services.return_reply(actor=co_leader, case=case, comment="退回")
    assert fresh(case).status == CaseStatus.DRAFTED


def test_another_units_leader_cannot_sign_off(signed: Case, third_unit: Organization) -> None:
    stranger = leader_of(third_unit, "finance_leader")
    draft(signed)
    with pytest.raises(NotFound):
        services.approve_reply(actor=stranger, case=signed)
    for name in ("office", "leader", "deputy"):
        with pytest.raises((NotPermitted, NotFound)):
            services.approve_reply(actor=u(name), case=signed)
    assert fresh(signed).status == CaseStatus.DRAFTED


def test_double_sign_off_is_refused_in_chinese(signed: Case) -> None:
    draft(signed)
    services.approve_reply(actor=u("unit_leader"), case=signed)
    events = CaseEvent.objects.filter(case=signed).count()
    for step in (
        lambda: services.approve_reply(actor=u("unit_leader"), case=signed),
        lambda: services.return_reply(actor=u("unit_leader"), case=signed, comment="退回"),
    ):
        with pytest.raises(IllegalTransition) as refused:
            step()
        assert refused.value.message in (
            "当前状态为“已答复待评价”,不能执行“签发答复”。",
            "当前状态为“已答复待评价”,不能执行“退回修改”。",
        )
    assert Reply.objects.filter(case=signed).count() == 1
    assert CaseEvent.objects.filter(case=signed).count() == events


def test_nothing_to_sign_off_and_no_second_draft(signed: Case) -> None:
    with pytest.raises(IllegalTransition) as nothing:
        services.approve_reply(actor=u("unit_leader"), case=signed)
    assert nothing.value.message == "当前状态为“办理中”,不能执行“签发答复”。"
    draft(signed)
    # While a draft waits, neither the staff nor the leader answer past it.
    for name in ("unit", "unit_leader"):
        with pytest.raises(IllegalTransition) as twice:
            services.reply(
                actor=u(name), case=signed, result_class="A", content="又一稿", measures=""
            )
        assert twice.value.message == "当前状态为“答复待签发”,不能执行“答复”。"
    assert ReplyDraft.objects.filter(case=signed).count() == 1


def test_one_pending_draft_per_case_in_the_database(signed: Case) -> None:
    first = draft(signed)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReplyDraft.objects.create(
            case=signed,
            round=1,
            unit_id=first.unit_id,
            result_class="A",
            content="x",
            from_status=CaseStatus.SIGNED,
            drafted_at=timezone.now(),
        )


# Sent at once --------------------------------------------------------------------------------


def test_a_leader_replying_signs_it_themself(
    signed: Case, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        answer = services.reply(
            actor=u("unit_leader"),
            case=signed,
            result_class="A",
            content=CONTENT,
            measures="",
            approved_by_name="别人",
        )
    assert isinstance(answer, Reply)
    leader = u("unit_leader")
    assert (answer.approved_by, answer.approved_by_name, answer.sent_by) == (
        leader,
        leader.display_name,
        leader,
    )
    assert fresh(signed).status == CaseStatus.REPLIED
    assert not ReplyDraft.objects.filter(case=signed).exists()
    assert inbox("deputy", "case_reply", signed)
    assert [e.action for e in CaseEvent.objects.filter(case=signed)] == ["assign", "sign", "reply"]


def test_a_unit_without_a_leader_account_sends_directly(
    make_case: Callable[..., Case],
    other_unit: Organization,
    django_capture_on_commit_callbacks: Any,
) -> None:
    staff = unit_user(other_unit, "edu_staff")
    case = make_case(lead=other_unit)
    services.sign(actor=staff, case=case)
    assert selectors.reply_mode(staff, case) == selectors.ReplyMode.TYPED
    with pytest.raises(InvalidInput) as unnamed:
        services.reply(
            actor=staff,
            case=case,
            result_class="A",
            content=CONTENT,
            measures="",
            approved_by_name=" ",
        )
    assert unnamed.value.field_errors == {"approved_by_name": ["请填写单位签发人。"]}
    with django_capture_on_commit_callbacks(execute=True):
        answer = services.reply(
            actor=staff,
            case=case,
            result_class="A",
            content=CONTENT,
            measures="",
            approved_by_name="李局长",
        )
    assert isinstance(answer, Reply)
    assert (answer.approved_by_name, answer.approved_by, answer.sent_by) == ("李局长", None, staff)
    assert fresh(case).status == CaseStatus.REPLIED
    assert inbox("deputy", "case_reply", case)


def test_an_inactive_leader_account_does_not_hold_replies_back(signed: Case) -> None:
    User.objects.filter(username="unit_leader").update(is_active=False)
    assert selectors.reply_mode(u("unit"), signed) == selectors.ReplyMode.TYPED
    answer = services.reply(
        actor=u("unit"),
        case=signed,
        result_class="A",
        content=CONTENT,
        measures="",
        approved_by_name="张局长",
    )
    assert isinstance(answer, Reply)
    assert fresh(signed).status == CaseStatus.REPLIED


# The timeline --------------------------------------------------------------------------------


def test_timeline_and_audit_of_the_sign_off(signed: Case, login: Callable[[str], Client]) -> None:
    draft(signed, content="初稿。")
    services.return_reply(actor=u("unit_leader"), case=signed, comment="请补充。")
    draft(fresh(signed))
    services.approve_reply(actor=u("unit_leader"), case=fresh(signed))
    events = list(
        CaseEvent.objects.filter(case=signed)
        .order_by("at", "id")
        .values_list("action", "from_status", "to_status", "actor_name", "comment")
    )
    staff, leader = u("unit").display_name, u("unit_leader").display_name
    assert events[2:] == [
        ("draft_reply", "signed", "drafted", staff, "A 已解决或基本解决"),
        ("return_reply", "drafted", "signed", leader, "请补充。"),
        ("draft_reply", "signed", "drafted", staff, "A 已解决或基本解决"),
        ("approve_reply", "drafted", "replied", leader, "A 已解决或基本解决"),
    ]
    transitions = AuditEvent.objects.filter(
        object_type="cases.case", object_id=str(signed.pk), action="transition"
    )
    assert transitions.count() == 5  # sign + the four above
    # The unit and the office follow every step; the author sees the reply when it was sent.
    unit_page = login("unit").get(reverse("cases:detail", args=[signed.pk])).content.decode()
    assert "提交签发" in unit_page
    assert "退回修改" in unit_page
    assert "请补充。" in unit_page
    office_page = login("office").get(reverse("cases:detail", args=[signed.pk])).content.decode()
    assert "请补充。" in office_page
    author_page = login("deputy").get(reverse("cases:detail", args=[signed.pk])).content.decode()
    assert "请补充。" not in author_page
    assert "提交签发" not in author_page
    assert "答复待签发" not in author_page
    assert "答复:办理中 → 已答复待评价" in author_page


# Pages ---------------------------------------------------------------------------------------


def act(client: Client, case: Case, step: str, **data: Any) -> Any:
    return client.post(reverse("cases:action", args=[case.pk, step]), data)


def test_pages_draft_sign_off_return_and_prefill(
    signed: Case, login: Callable[[str], Client]
) -> None:
    staff, leader = login("unit"), login("unit_leader")
    url = reverse("cases:detail", args=[signed.pk])
    done = act(staff, signed, "reply", result_class="A", content="初稿:已纳入计划。")
    assert done.status_code == 302
    assert fresh(signed).status == CaseStatus.DRAFTED
    page = staff.get(url).content.decode()
    assert "答复已提交单位负责人签发" in page
    assert "初稿:已纳入计划。" in page
    assert reverse("cases:action", args=[signed.pk, "signoff"]) not in page
    assert reverse("cases:action", args=[signed.pk, "reply"]) not in page
    # The leader's to-do list and workbench panel show it awaiting sign-off.
    todo = leader.get(reverse("cases:list")).content.decode()
    assert signed.title in todo
    assert "答复待签发" in todo
    bench = leader.get(reverse("web:workbench")).content.decode()
    assert "待签发" in bench
    assert signed.title in bench
    page = leader.get(url).content.decode()
    assert reverse("cases:action", args=[signed.pk, "signoff"]) in page
    assert "初稿:已纳入计划。" in page
    # A return needs a reason, in Chinese, beside the form.
    bad = act(leader, signed, "signoff", decision="return", comment="")
    assert bad.status_code == 400
    assert "请填写退回修改的理由" in bad.content.decode()
    assert (
        act(leader, signed, "signoff", decision="return", comment="请写明资金来源。").status_code
        == 302
    )
    assert fresh(signed).status == CaseStatus.SIGNED
    # The reply form comes back with the returned text and the reason.
    page = staff.get(url).content.decode()
    assert "请写明资金来源。" in page
    assert "初稿:已纳入计划。" in page
    assert f"您提出的《{signed.title}》收悉" not in page
    assert (
        act(staff, signed, "reply", result_class="A", content="修改稿:市财政专项资金。").status_code
        == 302
    )
    assert act(staff, signed, "signoff", decision="approve").status_code == 400
    assert act(leader, signed, "signoff", decision="approve").status_code == 302
    assert Reply.objects.get(case=signed).content == "修改稿:市财政专项资金。"
    again = act(leader, signed, "signoff", decision="approve")
    assert again.status_code == 400
    assert "不能执行“签发答复”" in again.content.decode()


def test_reply_form_by_who_replies(
    make_case: Callable[..., Case],
    signed: Case,
    other_unit: Organization,
    login: Callable[[str], Client],
) -> None:
    url = reverse("cases:detail", args=[signed.pk])
    leader_page = login("unit_leader").get(url).content.decode()
    assert "签发并发送" in leader_page
    assert 'name="approved_by_name"' not in leader_page
    staff = unit_user(other_unit, "edu_staff")
    case = make_case(lead=other_unit)
    services.sign(actor=staff, case=case)
    client = Client()
    client.force_login(staff)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'name="approved_by_name"' in page
    assert "发送答复" in page


def test_the_author_sees_a_draft_as_still_in_hand(
    login: Callable[[str], Client], signed_suggestion: Callable[[], tuple[Any, Case]]
) -> None:
    item, case = signed_suggestion()
    draft(fresh(case), content="已增设站台。")
    url = reverse("suggestions:detail", args=[item.pk])
    deputy = login("deputy").get(url).content.decode()
    assert "办理中" in deputy
    assert "答复待签发" not in deputy
    assert "已增设站台。" not in deputy
    office = login("office").get(url).content.decode()
    assert "答复待签发" in office


def test_the_leaders_todo_also_holds_the_units_overdue_cases(
    make_case: Callable[..., Case], other_unit: Organization
) -> None:
    import datetime

    today = local_date()
    late = make_case(title="已逾期的住建事项")
    Case.objects.filter(pk=late.pk).update(due_on=today - datetime.timedelta(days=3))
    on_time = make_case(title="未到期的住建事项")
    elsewhere = make_case(title="别的单位逾期事项", lead=other_unit)
    Case.objects.filter(pk=elsewhere.pk).update(due_on=today - datetime.timedelta(days=3))
    todo = set(selectors.unit_todo(u("unit_leader")).values_list("pk", flat=True))
    assert late.pk in todo
    assert on_time.pk not in todo
    assert elsewhere.pk not in todo
