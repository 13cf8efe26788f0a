"""Permission matrices of the points policies: role x action x (own, inside the county,
the station's township, another county)."""

from __future__ import annotations

from typing import Any

import pytest

from renda.core.models import User
from renda.core.policies import Action, Policy
from renda.deputies.models import Mandate
from renda.points import policies, services
from renda.points.models import Dispute, Evaluation, PointEntry, PointRuleSet, PointTotal
from tests.conftest import COUNTY, OTHER_COUNTY
from tests.points.conftest import YEAR, other_mandate, own_mandate, record

pytestmark = pytest.mark.django_db

USERS = [
    "admin",
    "office",
    "county_office",
    "township_office",
    "leader",
    "deputy",
    "station",
    "unit",
    "citizen",
]
KEYS = ("own", "county", "township", "other_county")
NONE = (False, False, False, False)
ALL = (True, True, True, True)
OFFICES = {
    "admin": ALL,
    "office": ALL,
    "county_office": (True, True, True, False),
    "township_office": (False, False, True, False),
}


def _mandates() -> dict[str, Mandate]:
    township = User.objects.get(username="station").grants.get().region_id
    return {
        "own": own_mandate(),
        "county": other_mandate(COUNTY),
        "township": other_mandate(township),
        "other_county": other_mandate(OTHER_COUNTY),
    }


def _objects() -> dict[str, dict[str, Any]]:
    """One entry, total, dispute, evaluation and rule set per target mandate."""
    deputy = User.objects.get(username="deputy")
    out: dict[str, dict[str, Any]] = {}
    for key, mandate in _mandates().items():
        source = record(mandate)
        services.recompute_mandates(mandate_ids=[mandate.pk], year=YEAR)
        entry = PointEntry.objects.get(record=source)
        out[key] = {
            "entry": entry,
            "total": PointTotal.objects.get(mandate=mandate, rule_set=entry.rule_set),
            "dispute": Dispute.objects.create(
                mandate=mandate,
                region_id=mandate.region_id,
                year=YEAR,
                code=entry.code,
                record=source,
                disputed_points=entry.points,
                reason="测试",
                created_by=deputy,
            ),
            "evaluation": Evaluation.objects.create(
                mandate=mandate, region_id=mandate.region_id, year=YEAR
            ),
            "rule_set": PointRuleSet.objects.get(pk=entry.rule_set_id),
        }
    return out


def _row(
    policy: Policy[Any], user: User, objects: dict[str, dict[str, Any]], kind: str, action: str
) -> tuple[bool, ...]:
    got = tuple(policy.can(user, objects[key][kind], action) for key in KEYS)
    model = type(objects["own"][kind])
    listed = policy.filter(user, model._default_manager.all(), action)
    assert tuple(listed.filter(pk=objects[key][kind].pk).exists() for key in KEYS) == got
    return got


def _expect(table: dict[str, tuple[bool, ...]], username: str) -> tuple[bool, ...]:
    return table.get(username, NONE)


VIEW_POINTS = {
    **OFFICES,
    "leader": ALL,
    "deputy": (True, False, False, False),
    "station": (False, False, True, False),
}
MATRIX: list[tuple[str, Policy[Any], str, dict[str, tuple[bool, ...]]]] = [
    ("entry", policies.entries, Action.VIEW, VIEW_POINTS),
    ("entry", policies.entries, policies.DISPUTE, {"deputy": (True, False, False, False)}),
    ("total", policies.totals, Action.VIEW, VIEW_POINTS),
    ("dispute", policies.disputes, Action.VIEW, {**OFFICES, "deputy": (True, False, False, False)}),
    ("dispute", policies.disputes, policies.DECIDE, OFFICES),
    (
        "evaluation",
        policies.evaluations,
        Action.VIEW,
        {**OFFICES, "leader": ALL, "deputy": (True, False, False, False)},
    ),
    (
        "evaluation",
        policies.evaluations,
        policies.SELF_ASSESS,
        {"deputy": (True, False, False, False)},
    ),
    ("evaluation", policies.evaluations, policies.ASSESS, OFFICES),
    ("rule_set", policies.rule_sets, Action.VIEW, {**OFFICES, "leader": ALL}),
    ("rule_set", policies.rule_sets, Action.CHANGE, OFFICES),
]


@pytest.mark.parametrize("username", USERS)
def test_points_matrix(username: str) -> None:
    objects = _objects()
    user = User.objects.get(username=username)
    for kind, policy, action, table in MATRIX:
        assert _row(policy, user, objects, kind, action) == _expect(table, username), (kind, action)
