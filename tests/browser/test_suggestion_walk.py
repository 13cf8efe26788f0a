"""Issue 4's acceptance walk, in Chromium: one suggestion through every role. The deputy
writes it on a phone and invites a co-signer, who confirms; the deputy submits; the office
accepts and assigns it to `unit` with a co-unit; the unit signs for it and drafts its reply,
which the unit's leader (`unit_leader`) signs off (签发); the deputy rates the reply
unsatisfied; the unit replies again and its leader signs off again; the deputy rates it
satisfied; the office publishes the reply and the public page shows it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from renda.cases.models import Case, CaseStatus, Rating
from renda.core.models import Organization, OrganizationKind, User
from renda.deputies.models import Mandate, MandateStatus
from renda.seed.world import DEMO_PASSWORD, demo_password_hash
from renda.suggestions.models import Suggestion, SuggestionCategory
from tests.browser.conftest import DESKTOP, PHONE, shot
from tests.browser.test_frame import sign_in

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CITY = "430400000000"
TITLE = "关于加快老旧小区加装电梯的建议"


@pytest.fixture(autouse=True)
def _tasks_inline(settings: Any, tmp_path: Path) -> None:
    settings.TASKS = IMMEDIATE
    settings.MEDIA_ROOT = tmp_path / "media"


def _context(browser: Any, base_url: str, username: str, viewport: dict[str, int] = PHONE) -> Any:
    context = browser.new_context(viewport=viewport, locale="zh-CN", base_url=base_url)
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, username)
    return context, page


def _cosigner() -> User:
    """A generated city deputy, given the demo password so they can sign in."""
    mandate = (
        Mandate.objects.filter(region_id=CITY, status=MandateStatus.SERVING)
        .exclude(person__user__username="deputy")
        .select_related("person__user")
        .order_by("id")
        .first()
    )
    assert mandate is not None
    user = mandate.person.user
    user.password = demo_password_hash()
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    return user


def _reply(
    browser: Any, base_url: str, case: Case, content: str, result: str, measures: str = ""
) -> None:
    """The unit's staff draft the reply (the housing bureau has a leader account, so nobody
    types a signer's name); the leader reads it on a phone and signs it off."""
    context, page = _context(browser, base_url, "unit")
    page.goto(f"/cases/{case.pk}/")
    if page.locator("button:has-text('签收')").count():
        page.click("button:has-text('签收')")
        page.wait_for_selector("text=提交签发")
    page.locator(f"label:has(input[name=result_class][value={result}])").click()
    page.fill("textarea[name=content]", content)
    if measures:
        page.fill("textarea[name=measures]", measures)
    assert page.locator("input[name=approved_by_name]").count() == 0
    shot(page, f"suggestion-walk-reply-{result}")
    page.click("button:has-text('提交签发')")
    page.wait_for_selector("text=答复已提交单位负责人签发")
    context.close()
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFTED

    context, page = _context(browser, base_url, "unit_leader")
    page.goto("/cases/")
    page.click(f"a:has-text('{case.title}')")
    page.wait_for_selector("button[name=decision][value=approve]")
    assert content in page.inner_text("main")
    shot(page, f"suggestion-walk-sign-off-{result}")
    page.click("button[name=decision][value=approve]")
    page.wait_for_selector("text=答复已签发")
    context.close()
    case.refresh_from_db()
    assert case.status == CaseStatus.REPLIED
    leader = User.objects.get(username="unit_leader")
    answer = case.replies.get(round=case.round)
    assert (answer.approved_by, answer.approved_by_name) == (leader, leader.display_name)


def _rate(page: Any, suggestion: Suggestion, rating: str, comment: str) -> None:
    page.goto(f"/suggestions/{suggestion.pk}/")
    page.locator(f"label:has(input[name=rating][value={rating}])").click()
    page.fill("textarea[name=comment]", comment)
    page.click("button:has-text('提交评价')")
    page.wait_for_url(f"**/suggestions/{suggestion.pk}/")


@pytest.mark.slow  # the whole walk: scheduled first among the live-server tests
def test_one_suggestion_through_every_role(page: Any, browser: Any, live_server: Any) -> None:
    base = live_server.url
    cosigner = _cosigner()

    # The deputy writes on a phone, saves a draft and invites the co-signer.
    sign_in(page, "deputy")
    page.goto("/suggestions/new/")
    page.select_option("select[name=mandate]", label="衡阳市人民代表大会")
    page.fill("input[name=title]", TITLE)
    page.fill(
        "textarea[name=content]",
        "城区 2000 年前建成的小区多无电梯,老年住户上下楼困难。建议简化审批、给予财政补贴。",
    )
    # Each congress keeps its own category list (grouped by congress in the select).
    category = SuggestionCategory.objects.get(congress__region_id=CITY, name="城乡建设")
    page.select_option("select[name=category]", value=str(category.pk))
    page.click("button[name=action][value=draft]")
    page.wait_for_url("**/suggestions/*/")
    suggestion = Suggestion.objects.get(title=TITLE)
    page.fill("input[name=q]", cosigner.person.name)  # type: ignore[union-attr]
    page.click("button:has-text('查找')")
    page.locator("input[name=mandates]").first.check()
    page.click("button:has-text('发送附议邀请')")
    page.wait_for_load_state()
    shot(page, "suggestion-walk-1-draft-phone")

    context, other = _context(browser, base, cosigner.username)
    other.goto(f"/suggestions/{suggestion.pk}/cosign/")
    other.click("button:has-text('确认附议')")
    other.wait_for_load_state()
    context.close()
    assert suggestion.cosigners.filter(status="confirmed").count() == 1

    page.goto(f"/suggestions/{suggestion.pk}/")
    page.click("form button:has-text('提交')")
    page.wait_for_load_state()
    suggestion.refresh_from_db()
    assert suggestion.status == "submitted"

    # The office accepts and assigns it to the housing bureau with a co-unit.
    unit = User.objects.get(username="unit").grants.get().organization
    assert unit is not None
    co_unit = (
        Organization.objects.filter(region_id=CITY, kind=OrganizationKind.GOVERNMENT_DEPARTMENT)
        .exclude(pk=unit.pk)
        .order_by("name")
        .first()
    )
    assert co_unit is not None
    context, office = _context(browser, base, "office", DESKTOP)
    office.goto(f"/suggestions/{suggestion.pk}/review/")
    office.click("button[name=decision][value=accept]")
    office.wait_for_load_state()
    office.goto(f"/suggestions/{suggestion.pk}/assign/")
    office.select_option("select[name=lead_unit]", value=str(unit.pk))
    office.check(f"input[name=co_units][value='{co_unit.pk}']")
    office.click("button:has-text('交办')")
    office.wait_for_load_state()
    context.close()
    case = Case.objects.get(subject_type="suggestions.suggestion", subject_id=str(suggestion.pk))
    assert case.lead_unit == unit
    assert case.units.filter(unit=co_unit, role="co").exists()

    # Round 1: the unit signs and replies; the deputy is not satisfied.
    _reply(
        browser,
        base,
        case,
        "我局已将该片区纳入明年改造计划,正在争取专项资金。",
        "B",
        measures="2027 年第一季度完成摸底,第三季度启动首批加装。",
    )
    _rate(page, suggestion, Rating.UNSATISFIED, "没有说明补贴标准和时间表。")
    case.refresh_from_db()
    assert (case.status, case.round) == (CaseStatus.REOPENED, 2)

    # Round 2: the unit replies again; the deputy is satisfied.
    _reply(browser, base, case, "补贴标准为每台 15 万元,首批 30 台已于本月开工。", "A")
    _rate(page, suggestion, Rating.SATISFIED, "答复具体,感谢。")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    shot(page, "suggestion-walk-2-rated-phone")

    # The office publishes the reply; the public page shows it.
    context, office = _context(browser, base, "office", DESKTOP)
    office.goto(f"/cases/{case.pk}/")
    office.click("button:has-text('在门户网站公开答复')")
    office.wait_for_load_state()
    context.close()
    public = browser.new_context(viewport=PHONE, locale="zh-CN", base_url=base).new_page()
    public.goto(f"/portal/suggestions/{suggestion.pk}/")
    text = public.inner_text("main")
    assert TITLE in text
    assert "每台 15 万元" in text
    shot(public, "suggestion-walk-3-public-phone")
    assert DEMO_PASSWORD not in text
    public.context.close()
