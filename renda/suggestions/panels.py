"""Workbench panels of suggestions: a deputy's own suggestions and pending co-signing
invitations with the write button; the office's suggestions waiting for review; the handling
figures of the jurisdiction for congress leaders and the government's supervision office."""

from __future__ import annotations

from typing import Any, cast

from django.utils.translation import gettext_lazy as _

from renda.cases import selectors as case_selectors
from renda.core import workbench
from renda.core.models import Role
from renda.core.policies import Action
from renda.suggestions import dashboard, selectors
from renda.suggestions.dashboard_views import percent
from renda.suggestions.policies import suggestions as suggestion_policy
from renda.web import menu

LATEST = 5


def mine(user: Any) -> dict[str, Any] | None:
    if not selectors.own_mandates(user):
        return None
    return {
        "invitations": selectors.pending_invitations(user),
        "items": list(selectors.suggestions(user)[:LATEST]),
    }


def to_review(user: Any) -> dict[str, Any] | None:
    queue = selectors.review_queue(user)
    return {"count": queue.count(), "items": list(queue[:LATEST])}


def oversight(user: Any) -> dict[str, Any] | None:
    """The headline figures of the dashboard, over the user's whole jurisdiction."""
    if not dashboard.is_staff(user):
        return None
    figures = case_selectors.figures(dashboard.scope(user, dashboard.DashboardFilters()).cases)
    return {
        "figures": figures,
        "sign_rate": percent(figures.sign_rate),
        "on_time_rate": percent(figures.on_time_rate),
        "satisfaction_rate": percent(figures.satisfaction_rate),
    }


def register() -> None:
    workbench.register(
        workbench.Panel(
            key="suggestions.mine",
            title=cast(str, _("我的议案建议")),
            roles=frozenset({Role.DEPUTY}),
            build=mine,
            template="suggestions/panels/mine.html",
            order=16,
        )
    )
    workbench.register(
        workbench.Panel(
            key="suggestions.review",
            title=cast(str, _("待审查的议案建议")),
            roles=frozenset({Role.OFFICE, Role.ADMIN}),
            build=to_review,
            template="suggestions/panels/review.html",
            order=13,
        )
    )
    workbench.register(
        workbench.Panel(
            key="suggestions.oversight",
            title=cast(str, _("建议办理概况")),
            roles=frozenset({Role.LEADER, Role.SUPERVISION}),
            build=oversight,
            template="suggestions/panels/oversight.html",
            order=11,
        )
    )
    menu.register(
        menu.Entry(
            "suggestions",
            _("议案建议"),
            "suggestions:list",
            90,
            lambda user: suggestion_policy.allows_anywhere(user, Action.VIEW),
            [("suggestions", "")],
        )
    )
    menu.register(
        menu.Entry(
            "suggestion_stats",
            _("办理统计"),
            "suggestions:dashboard",
            100,
            lambda user: menu.signed_in(user) and dashboard.can_view(user),
            [("suggestions", "dashboard"), ("suggestions", "compilation")],
        )
    )
