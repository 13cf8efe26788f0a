"""Workbench panels of the points system: a deputy's own points this year, and the office's
count of disputes waiting for a decision. Neither ever compares deputies with each other."""

from __future__ import annotations

from typing import Any, cast

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from renda.core import workbench
from renda.core.models import Role
from renda.core.policies import Action, has_role
from renda.points import policies, selectors
from renda.web import menu


def my_points(user: Any) -> dict[str, Any] | None:
    year = timezone.localdate().year
    rows = [
        {
            "mandate": mandate,
            "points": selectors.year_points(mandate, year),
            "tenure_days": selectors.tenure_days(mandate, year),
        }
        for mandate in selectors.own_mandates(user)
        if mandate.is_serving
    ]
    if not rows:
        return None
    return {"year": year, "rows": rows}


def open_disputes(user: Any) -> dict[str, Any] | None:
    if not policies.disputes.allows_anywhere(user, policies.DECIDE):
        return None
    return {
        "disputes": selectors.open_dispute_count(user),
        "evaluations": selectors.evaluations_to_assess(user).count(),
    }


def _title(text: Any) -> str:
    return cast(str, text)


def register() -> None:
    workbench.register(
        workbench.Panel(
            key="points.mine",
            title=_title(_("我的履职积分")),
            roles=frozenset({Role.DEPUTY}),
            build=my_points,
            template="points/panels/mine.html",
            order=30,
        )
    )
    workbench.register(
        workbench.Panel(
            key="points.disputes",
            title=_title(_("待处理申诉")),
            roles=frozenset({Role.ADMIN, Role.OFFICE}),
            build=open_disputes,
            template="points/panels/disputes.html",
            order=40,
        )
    )
    menu.register(
        menu.Entry(
            "points",
            _("积分与评价"),
            "points:rules",
            130,
            lambda user: policies.rule_sets.allows_anywhere(user, Action.VIEW),
            [("points", "")],
        )
    )
    menu.register(
        menu.Entry(
            "points",
            _("我的积分"),
            "points:mine",
            131,
            lambda user: has_role(user, Role.DEPUTY),
            [("points", "")],
        )
    )
