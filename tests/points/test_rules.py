"""Changing the rule table: a new version becomes current, the year is recomputed in the
background, the old version keeps its totals as history, and everything is audited."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest

from renda.core.errors import Conflict, InvalidInput, NotFound, NotPermitted
from renda.core.models import AuditAction, AuditEvent, User
from renda.duties.models import ActivityKind
from renda.points import services
from renda.points.models import PointEntry, PointRuleSet, PointTotal
from tests.points.conftest import YEAR, entries, own_mandate, record

pytestmark = pytest.mark.django_db


def _setup() -> PointRuleSet:
    mandate = own_mandate()
    for day in range(1, 4):
        record(mandate, ActivityKind.RECEPTION, datetime.date(YEAR, 4, day))
    services.recompute_year(congress_id=mandate.term.congress_id, year=YEAR)
    return PointRuleSet.objects.get(
        congress_id=mandate.term.congress_id, year=YEAR, is_current=True
    )


def test_rule_change_recomputes_and_keeps_the_old_totals(
    django_capture_on_commit_callbacks: Any,
) -> None:
    old = _setup()
    mandate = own_mandate()
    assert PointTotal.objects.get(rule_set=old, mandate=mandate).points == 9
    office = User.objects.get(username="county_office")
    with django_capture_on_commit_callbacks(execute=True):
        new = services.change_rules(
            actor=office,
            rule_set=old,
            changes={"reception": ("4", "10")},
            note="接待选民分值由 3 分调整为 4 分,上限 10 分",
        )
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.is_current, new.is_current, new.version) == (False, True, 2)
    assert new.computed_at is not None
    assert new.rules.get(code="reception").points == 4
    assert new.rules.get(code="meeting").points == old.rules.get(code="meeting").points
    # New result: 4 + 4 + 2 (cap 10); the old version's totals stay as history.
    assert [e.points for e in entries(mandate)] == [4, 4, 2]
    assert PointTotal.objects.get(rule_set=new, mandate=mandate).points == 10
    assert PointTotal.objects.get(rule_set=old, mandate=mandate).points == 9
    # Entries exist for the current version only.
    assert not PointEntry.objects.filter(rule_set=old).exists()
    event = AuditEvent.objects.get(object_type="points.pointruleset", action=AuditAction.UPDATE)
    assert event.before == {"reception": ["3.0", "36.0"]}
    assert event.after == {"reception": ["4", "10"]}


def test_rule_change_validation_and_conflicts() -> None:
    old = _setup()
    office = User.objects.get(username="county_office")
    with pytest.raises(InvalidInput) as exc:
        services.change_rules(actor=office, rule_set=old, changes={"absence": ("3", "")}, note="x")
    assert "扣分项目" in exc.value.field_errors["absence_points"][0]
    with pytest.raises(InvalidInput) as exc:
        services.change_rules(actor=office, rule_set=old, changes={"meeting": ("2", "-1")}, note="")
    assert set(exc.value.field_errors) == {"meeting_cap", "note"}
    with pytest.raises(InvalidInput) as exc:
        services.change_rules(
            actor=office, rule_set=old, changes={"meeting": ("2", "20")}, note="无变化"
        )
    assert "没有修改" in exc.value.message
    with pytest.raises(NotPermitted):
        services.change_rules(
            actor=User.objects.get(username="leader"),
            rule_set=old,
            changes={"meeting": ("3", "20")},
            note="领导改",
        )
    with pytest.raises(NotFound):
        services.change_rules(
            actor=User.objects.get(username="township_office"),
            rule_set=old,
            changes={"meeting": ("3", "20")},
            note="乡镇改县",
        )
    services.change_rules(
        actor=office, rule_set=old, changes={"meeting": ("3", "")}, note="会议 3 分,不设上限"
    )
    with pytest.raises(Conflict):
        services.change_rules(
            actor=office, rule_set=old, changes={"meeting": ("4", "")}, note="基于旧版本"
        )
    assert PointRuleSet.objects.filter(congress_id=old.congress_id, year=YEAR).count() == 2


def test_rules_page_edits_and_shows_the_history(
    login: Any, django_capture_on_commit_callbacks: Any
) -> None:
    old = _setup()
    client = login("county_office")
    url = f"/points/rules/?congress={old.congress_id}&year={YEAR}"
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "保存为新版本" in text
    assert "第 1 版" in text
    data = {"rule_set": old.pk, "note": "接待选民 4 分"}
    for rule in old.rules.all():
        data[f"{rule.code}_points"] = str(rule.points)
        data[f"{rule.code}_cap"] = "" if rule.yearly_cap is None else str(rule.yearly_cap)
    data["reception_points"] = "4"
    bad = client.post(url, {**data, "absence_points": "abc"})
    assert bad.status_code == 200
    assert "请填写数字" in bad.content.decode()
    assert 'value="接待选民 4 分"' in bad.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302
    text = client.get(url).content.decode()
    assert "第 2 版" in text
    # The history shows each version's total: 9 under version 1, 12 under version 2.
    totals = re.findall(r'data-label="积分合计" class="numeric">([^<]*)<', text)
    assert totals == ["12", "9"], totals  # newest version first
    # Leaders read the table without the form; deputies do not see it at all.
    leader = login("leader").get(url)
    assert leader.status_code == 200
    assert "保存为新版本" not in leader.content.decode()
    assert login("deputy").get(url).status_code == 403
    assert (
        Decimal(4)
        == PointRuleSet.objects.get(congress_id=old.congress_id, year=YEAR, is_current=True)
        .rules.get(code="reception")
        .points
    )
