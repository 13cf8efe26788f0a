"""Workbench panels of duty performance: a deputy's upcoming activities and latest records
with the report button; a station's or office's reports waiting for confirmation."""

from __future__ import annotations

from typing import Any, cast

from django.utils.translation import gettext_lazy as _

from renda.core import workbench
from renda.core.models import Role
from renda.core.policies import Action
from renda.duties import selectors
from renda.duties.policies import activities as activity_policy
from renda.duties.policies import records as record_policy
from renda.web import menu

LATEST = 5


def my_duties(user: Any) -> dict[str, Any] | None:
    if not selectors.own_mandates(user):
        return None
    return {
        "invitations": selectors.my_invitations(user),
        "records": list(selectors.records(user)[:LATEST]),
    }


def to_review(user: Any) -> dict[str, Any] | None:
    queue = selectors.to_review(user)
    return {"count": queue.count(), "records": list(queue[:LATEST])}


def register() -> None:
    workbench.register(
        workbench.Panel(
            key="duties.mine",
            title=cast(str, _("我的履职")),
            roles=frozenset({Role.DEPUTY}),
            build=my_duties,
            template="duties/panels/mine.html",
            order=15,
        )
    )
    workbench.register(
        workbench.Panel(
            key="duties.review",
            title=cast(str, _("待确认的履职记录")),
            roles=frozenset({Role.STATION, Role.OFFICE, Role.ADMIN}),
            build=to_review,
            template="duties/panels/review.html",
            order=12,
        )
    )
    menu.register(
        menu.Entry(
            "duties",
            _("履职记录"),
            "duties:records",
            70,
            lambda user: record_policy.allows_anywhere(user, Action.VIEW),
            [("duties", "")],
        )
    )
    menu.register(
        menu.Entry(
            "activities",
            _("履职活动"),
            "duties:activities",
            80,
            lambda user: activity_policy.allows_anywhere(user, Action.VIEW),
            [("duties", "activit")],
        )
    )
