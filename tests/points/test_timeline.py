"""Disputes and evaluation forms have timelines: filed then decided; opened by the first
draft, submitted, sent back, assessed. The pages offer exactly the steps the workflow allows."""

from __future__ import annotations

from typing import Any

import pytest

from renda.core.models import User
from renda.points import selectors, services
from renda.points.models import Dispute, Evaluation, Grade
from tests.points.conftest import YEAR, absence, own_mandate

pytestmark = pytest.mark.django_db


def _steps(item: Dispute | Evaluation) -> list[tuple[str, str, str]]:
    return [(e.action, e.from_status, e.to_status) for e in item.events.order_by("at", "id")]


def test_dispute_timeline(scored: Any) -> None:
    mandate = own_mandate()
    absence(mandate)
    entry = scored(mandate)[0]
    deputy = User.objects.get(username="deputy")
    office = User.objects.get(username="county_office")
    dispute = services.file_dispute(actor=deputy, entry=entry, reason="当天我已请假。")
    assert selectors.dispute_actions(office, dispute) == {"uphold", "reject"}
    assert selectors.dispute_actions(deputy, dispute) == set()
    services.decide_dispute(actor=office, dispute=dispute, uphold=False, decision="无请假记录。")
    assert _steps(dispute) == [("file", "", "open"), ("reject", "open", "rejected")]
    assert [e.actor_name for e in dispute.events.order_by("at", "id")] == [
        deputy.display_name,
        office.display_name,
    ]
    dispute.refresh_from_db()
    assert selectors.dispute_actions(office, dispute) == set()


def test_evaluation_timeline() -> None:
    mandate = own_mandate()
    deputy = User.objects.get(username="deputy")
    office = User.objects.get(username="county_office")
    assert selectors.evaluation_actions(deputy, mandate, None) == {"submit"}
    assert selectors.evaluation_actions(office, mandate, None) == set()
    draft = services.save_self_assessment(
        actor=deputy, mandate=mandate, year=YEAR, text="参加活动 12 次。", submit=False
    )
    services.save_self_assessment(
        actor=deputy, mandate=mandate, year=YEAR, text="参加活动 12 次。", submit=True
    )
    draft.refresh_from_db()
    assert selectors.evaluation_actions(office, mandate, draft) == {"assess", "return"}
    services.return_evaluation(actor=office, evaluation=draft, reason="请补充联系群众情况。")
    services.save_self_assessment(
        actor=deputy,
        mandate=mandate,
        year=YEAR,
        text="参加活动 12 次,接待群众 30 人。",
        submit=True,
    )
    services.assess_evaluation(
        actor=office, evaluation=draft, office_assessment="履职认真。", grade=Grade.COMPETENT
    )
    assert _steps(draft) == [
        ("open", "", "draft"),
        ("submit", "draft", "submitted"),
        ("return", "submitted", "draft"),
        ("submit", "draft", "submitted"),
        ("assess", "submitted", "assessed"),
    ]


def test_rules_page_reads_the_default_table_without_writing_it(login: Any) -> None:
    from renda.points.models import DEFAULT_RULES, PointRuleSet

    congress = own_mandate().term.congress
    url = f"/points/rules/?congress={congress.pk}&year={YEAR}"
    assert not PointRuleSet.objects.filter(congress=congress, year=YEAR).exists()
    page = login("county_office").get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "保存为新版本" in text
    assert "现行第 1 版" in text
    assert not PointRuleSet.objects.filter(congress=congress, year=YEAR).exists()
    assert login("leader").get(url).status_code == 200
    assert not PointRuleSet.objects.filter(congress=congress, year=YEAR).exists()
    # Saving a change writes the default table as version 1 and the change as version 2.
    data = {"rule_set": "", "note": "接待选民 4 分"}
    for code, (points, cap) in DEFAULT_RULES.items():
        data[f"{code}_points"] = str(points)
        data[f"{code}_cap"] = "" if cap is None else str(cap)
    data["reception_points"] = "4"
    response = login("county_office").post(url, data)
    assert response.status_code == 302
    versions = PointRuleSet.objects.filter(congress=congress, year=YEAR).order_by("version")
    assert [(v.version, v.is_current) for v in versions] == [(1, False), (2, True)]
    assert versions[1].rules.get(code="reception").points == 4
