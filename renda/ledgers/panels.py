"""The ledger's workbench panel: this year's confirmed activities by kind, with a link to the
full ledger. One GROUP BY query, whatever the size of the jurisdiction."""

from __future__ import annotations

from typing import Any, cast

from django.utils.translation import gettext_lazy as _

from renda.core import workbench
from renda.core.models import Role
from renda.ledgers import selectors
from renda.web import menu


def activities_this_year(user: Any) -> dict[str, Any] | None:
    if not selectors.can_view(user):
        return None
    chart = selectors.kinds_this_year(user)
    return {"chart": chart, "total": sum(row["value"] for row in chart)}


def register() -> None:
    workbench.register(
        workbench.Panel(
            key="ledgers.activities",
            title=cast(str, _("本年度履职活动")),
            roles=frozenset({Role.ADMIN, Role.OFFICE, Role.LEADER}),
            build=activities_this_year,
            template="ledgers/panels/activities.html",
            order=30,
        )
    )
    menu.register(
        menu.Entry(
            "ledgers",
            _("统计台账"),
            "ledgers:ledger",
            120,
            lambda user: menu.signed_in(user) and selectors.can_view(user),
            [("ledgers", "")],
        )
    )
