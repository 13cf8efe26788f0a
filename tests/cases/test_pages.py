"""The case pages: the unit's to-do list, the office's filtered list, and every step on the
case page for the role allowed to take it; Chinese errors with the input kept; a unit never
reaches another unit's case; the author rates from the suggestion page."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from renda.cases import services
from renda.cases.models import Case, CaseEvent, CaseStatus, Contact, Evaluation, Reply
from renda.core.dates import local_date
from renda.core.models import Organization, User

from .conftest import unit_user

pytestmark = pytest.mark.django_db


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def act(client: Client, case: Case, step: str, **data: Any) -> Any:
    return client.post(reverse("cases:action", args=[case.pk, step]), data)


def u(name: str) -> User:
    return User.objects.get(username=name)


def signed(make_case: Callable[..., Case], **extra: Any) -> Case:
    case = make_case(**extra)
    services.sign(actor=u("unit"), case=case)
    return fresh(case)


def replied(make_case: Callable[..., Case], result_class: str = "A", **extra: Any) -> Case:
    case = signed(make_case, **extra)
    services.reply(
        actor=u("unit_leader"),
        case=case,
        result_class=result_class,
        content="已办理。",
        measures="年内完成。" if result_class == "B" else "",
    )
    return fresh(case)


# Lists ---------------------------------------------------------------------------------------


def test_unit_todo_lists_unsigned_first_with_days_left(
    login: Callable[[str], Client], make_case: Callable[..., Case]
) -> None:
    later = make_case(title="已签收的建议")
    services.sign(actor=u("unit"), case=later)
    Case.objects.filter(pk=later.pk).update(due_on=local_date() - datetime.timedelta(days=2))
    waiting = make_case(title="待签收的建议")
    page = login("unit").get(reverse("cases:list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index("待签收的建议") < html.index("已签收的建议")
    assert "已逾期 2 天" in html
    assert waiting.get_status_display() in html


def test_office_list_filters(
    login: Callable[[str], Client], make_case: Callable[..., Case], other_unit: Organization
) -> None:
    make_case(title="住建局的建议")
    make_case(title="教育局的建议", lead=other_unit)
    overdue = make_case(title="逾期的建议")
    Case.objects.filter(pk=overdue.pk).update(due_on=local_date() - datetime.timedelta(days=1))
    client = login("office")
    html = client.get(reverse("cases:list")).content.decode()
    assert "住建局的建议" in html
    assert "教育局的建议" in html
    html = client.get(reverse("cases:list"), {"unit": other_unit.pk}).content.decode()
    assert "教育局的建议" in html
    assert "住建局的建议" not in html
    html = client.get(reverse("cases:list"), {"overdue": "yes"}).content.decode()
    assert "逾期的建议" in html
    assert "住建局的建议" not in html
    html = client.get(reverse("cases:list"), {"status": "closed"}).content.decode()
    assert "没有符合条件的交办事项" in html


def test_unit_cannot_reach_another_units_case(
    login: Callable[[str], Client], make_case: Callable[..., Case], other_unit: Organization
) -> None:
    case = make_case(lead=other_unit)
    client = login("unit")
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    assert act(client, case, "sign").status_code == 404
    assert fresh(case).status == CaseStatus.ASSIGNED
    assert case.title not in client.get(reverse("cases:list")).content.decode()


# Steps of the lead unit ----------------------------------------------------------------------


def test_sign_then_double_click_gets_chinese_message(
    login: Callable[[str], Client], make_case: Callable[..., Case]
) -> None:
    case = make_case()
    client = login("unit")
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("cases:action", args=[case.pk, "sign"]) in page
    assert "data-disable-on-submit" in page
    response = act(client, case, "sign")
    assert response.status_code == 302
    assert fresh(case).status == CaseStatus.SIGNED
    again = act(client, case, "sign")
    assert again.status_code == 400
    assert "签收" in again.content.decode()
    assert CaseEvent.objects.filter(case=case, action="sign").count() == 1


def test_reply_form_prefilled_and_errors_keep_input(
    login: Callable[[str], Client], make_case: Callable[..., Case]
) -> None:
    case = signed(make_case)
    client = login("unit")
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert f"您提出的《{case.title}》收悉" in page
    assert "衡阳市住房和城乡建设局" in page
    # The unit has a leader account: the staff draft, the leader signs.
    assert 'name="approved_by_name"' not in page
    assert "提交签发" in page
    response = act(
        client,
        case,
        "reply",
        result_class="B",
        content="我局将分批改造。",
        measures="",
        approved_by_name="",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "B 类答复须写明承诺的措施和完成时限" in html
    assert "请填写单位签发人" not in html
    assert "我局将分批改造。" in html
    assert not Reply.objects.filter(case=case).exists()
    response = act(
        client,
        case,
        "reply",
        result_class="B",
        content="我局将分批改造。",
        measures="年底前完成 3 个小区。",
    )
    assert response.status_code == 302
    assert fresh(case).status == CaseStatus.DRAFTED
    assert act(login("unit_leader"), case, "signoff", decision="approve").status_code == 302
    assert fresh(case).status == CaseStatus.REPLIED
    # B-class: the promise can be reported done.
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("cases:action", args=[case.pk, "promise"]) in page
    assert act(client, case, "promise", report="").status_code == 400
    assert act(client, case, "promise", report="3 个小区已完工。").status_code == 302
    assert Reply.objects.get(case=case).promise_done_at is not None


def test_reply_without_content_and_class(
    login: Callable[[str], Client], make_case: Callable[..., Case]
) -> None:
    case = signed(make_case)
    response = act(login("unit"), case, "reply", content="", approved_by_name="张局长")
    assert response.status_code == 400
    html = response.content.decode()
    assert "请选择办理结果" in html
    assert "请填写答复内容" in html


def test_contact_and_reassignment_request_and_office_decision(
    login: Callable[[str], Client], make_case: Callable[..., Case], other_unit: Organization
) -> None:
    case = make_case()
    unit = login("unit")
    bad = act(unit, case, "contact", method="phone", happened_on="", note="已电话沟通")
    assert bad.status_code == 400
    assert "请填写沟通日期" in bad.content.decode()
    assert "已电话沟通" in bad.content.decode()
    ok = act(
        unit,
        case,
        "contact",
        method="phone",
        happened_on=local_date().isoformat(),
        note="已电话沟通",
    )
    assert ok.status_code == 302
    assert Contact.objects.filter(case=case).count() == 1
    assert act(unit, case, "reassign", reason="").status_code == 400
    assert act(unit, case, "reassign", reason="不属于我局职责").status_code == 302
    assert fresh(case).status == CaseStatus.REASSIGN_REQUESTED
    office = login("office")
    page = office.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("cases:action", args=[case.pk, "decide"]) in page
    assert other_unit.name in page
    missing = act(office, case, "decide", decision="approve", new_lead_unit="")
    assert missing.status_code == 400
    assert "请选择承办单位" in missing.content.decode()
    done = act(office, case, "decide", decision="approve", new_lead_unit=other_unit.pk, comment="")
    assert done.status_code == 302
    moved = fresh(case)
    assert moved.lead_unit_id == other_unit.pk
    assert moved.status == CaseStatus.ASSIGNED
    # The old unit can no longer reach it; a reply it posts is refused, nothing stored.
    assert unit.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    assert (
        act(unit, case, "reply", result_class="A", content="x", approved_by_name="张").status_code
        == 404
    )
    assert not Reply.objects.filter(case=case).exists()


def test_office_refuses_reassignment_needs_reason(
    login: Callable[[str], Client], make_case: Callable[..., Case]
) -> None:
    case = make_case()
    services.request_reassignment(actor=u("unit"), case=case, reason="不属于我局职责")
    office = login("office")
    bad = act(office, case, "decide", decision="refuse", comment="")
    assert bad.status_code == 400
    assert "请填写不同意调整的理由" in bad.content.decode()
    assert act(office, case, "decide", decision="refuse", comment="属于你局职责").status_code == 302
    assert fresh(case).status == CaseStatus.ASSIGNED


def test_co_unit_opinion(
    login: Callable[[str], Client], make_case: Callable[..., Case], other_unit: Organization
) -> None:
    staff = unit_user(other_unit, "edu_pages")
    case = make_case(co=[other_unit])
    client = Client()
    client.force_login(staff)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("cases:action", args=[case.pk, "opinion"]) in page
    assert reverse("cases:action", args=[case.pk, "sign"]) not in page
    assert reverse("cases:action", args=[case.pk, "reply"]) not in page
    assert act(client, case, "opinion", opinion="").status_code == 400
    assert act(client, case, "opinion", opinion="建议与教育用地统筹").status_code == 302
    # A co-unit cannot sign for the lead unit.
    assert act(client, case, "sign").status_code == 400
    assert fresh(case).status == CaseStatus.ASSIGNED


# The office and the author -------------------------------------------------------------------


def test_office_publishes_and_supervises(
    login: Callable[[str], Client], make_case: Callable[..., Case]
) -> None:
    open_case = make_case()
    office = login("office")
    assert act(office, open_case, "supervise", comment="").status_code == 400
    assert act(office, open_case, "supervise", comment="请加快办理").status_code == 302
    assert CaseEvent.objects.filter(case=open_case, action="supervise").exists()
    case = replied(make_case)
    page = office.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("cases:action", args=[case.pk, "publish"]) in page
    assert act(office, case, "publish").status_code == 302
    assert Reply.objects.get(case=case).published_at is not None
    # The unit cannot publish.
    other = replied(make_case)
    assert act(login("unit"), other, "publish").status_code == 400
    assert Reply.objects.get(case=other).published_at is None


def test_author_rates_unsatisfied_needs_comment_then_reopens(
    login: Callable[[str], Client], make_case: Callable[..., Case]
) -> None:
    case = replied(make_case)
    deputy = login("deputy")
    page = deputy.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("cases:action", args=[case.pk, "rate"]) in page
    assert reverse("cases:action", args=[case.pk, "reply"]) not in page
    bad = act(deputy, case, "rate", rating="unsatisfied", comment="")
    assert bad.status_code == 400
    assert "不满意时请写明理由" in bad.content.decode()
    assert (
        act(deputy, case, "rate", rating="unsatisfied", comment="没有实地调查").status_code == 302
    )
    reopened = fresh(case)
    assert reopened.status == CaseStatus.REOPENED
    assert reopened.round == 2
    # The unit replies again and the deputy is satisfied: the whole history stays visible.
    services.reply(
        actor=u("unit_leader"),
        case=reopened,
        result_class="A",
        content="已实地调查并整改。",
        measures="",
    )
    assert act(deputy, case, "rate", rating="satisfied", comment="").status_code == 302
    assert fresh(case).status == CaseStatus.CLOSED
    html = deputy.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "没有实地调查" in html
    assert "已实地调查并整改。" in html
    assert "已办理。" in html


def test_rating_by_someone_not_the_author(
    login: Callable[[str], Client], make_case: Callable[..., Case]
) -> None:
    case = replied(make_case)
    office = login("office")
    page = office.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("cases:action", args=[case.pk, "rate"]) not in page
    response = act(office, case, "rate", rating="satisfied")
    assert response.status_code == 400
    assert "只有提出人可以评价答复" in response.content.decode()
    assert not Evaluation.objects.filter(case=case).exists()
    assert act(login("citizen"), case, "rate", rating="satisfied").status_code == 404


def test_unknown_step_is_404(
    login: Callable[[str], Client], make_case: Callable[..., Case]
) -> None:
    case = make_case()
    assert act(login("unit"), case, "explode").status_code == 404


# From the suggestion page --------------------------------------------------------------------


def test_author_rates_from_the_suggestion_page(
    login: Callable[[str], Client], signed_suggestion: Callable[[], tuple[Any, Case]]
) -> None:
    item, case = signed_suggestion()
    services.reply(
        actor=u("unit_leader"),
        case=fresh(case),
        result_class="A",
        content="已增设站台。",
        measures="",
    )
    deputy = login("deputy")
    url = reverse("suggestions:detail", args=[item.pk])
    page = deputy.get(url).content.decode()
    assert "办理情况" in page
    assert "已增设站台。" in page
    assert reverse("cases:action", args=[case.pk, "rate"]) in page
    # The case page links back to the suggestion.
    assert url in deputy.get(reverse("cases:detail", args=[case.pk])).content.decode()
    response = deputy.post(
        reverse("cases:action", args=[case.pk, "rate"]),
        {"rating": "basic", "comment": "", "next": url},
    )
    assert response.status_code == 302
    assert response["Location"] == url
    assert fresh(case).status == CaseStatus.CLOSED
    assert "办理情况" in deputy.get(url).content.decode()
    # The unit's page for the suggestion shows no rating form.
    assert (
        reverse("cases:action", args=[case.pk, "rate"])
        not in login("office").get(url).content.decode()
    )


# Workbench panels ----------------------------------------------------------------------------


def test_workbench_panels(login: Callable[[str], Client], make_case: Callable[..., Case]) -> None:
    waiting = make_case(title="待签收的加装电梯建议")
    late = make_case(title="逾期的道路建议")
    services.sign(actor=u("unit"), case=late)
    Case.objects.filter(pk=late.pk).update(due_on=local_date() - datetime.timedelta(days=3))
    html = login("unit").get(reverse("web:workbench")).content.decode()
    assert "交办事项待办" in html
    assert waiting.title in html
    assert late.title in html
    office = login("office").get(reverse("web:workbench")).content.decode()
    assert "逾期未答复事项" in office
    assert late.title in office
    assert waiting.title not in office


def test_leader_and_county_office(
    login: Callable[[str], Client], make_case: Callable[..., Case]
) -> None:
    key = make_case(title="重点督办的建议", is_key=True)
    make_case(title="普通的建议")
    leader = login("leader")
    html = leader.get(reverse("cases:list"), {"key": "yes"}).content.decode()
    assert "重点督办的建议" in html
    assert "普通的建议" not in html
    page = leader.get(reverse("cases:detail", args=[key.pk])).content.decode()
    assert reverse("cases:action", args=[key.pk, "supervise"]) in page
    assert reverse("cases:action", args=[key.pk, "sign"]) not in page
    assert act(leader, key, "supervise", comment="请按期办结").status_code == 302
    assert act(leader, key, "sign").status_code == 400
    # A county office does not see the city's cases.
    county = login("county_office")
    assert county.get(reverse("cases:detail", args=[key.pk])).status_code == 404
    assert "重点督办的建议" not in county.get(reverse("cases:list")).content.decode()


def test_author_follows_own_cases(
    login: Callable[[str], Client], make_case: Callable[..., Case]
) -> None:
    make_case(title="代表本人的建议")
    make_case(title="别人的建议", author=None)
    html = login("deputy").get(reverse("cases:list")).content.decode()
    assert "代表本人的建议" in html
    assert "别人的建议" not in html
