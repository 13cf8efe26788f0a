"""Workbench panels of case handling: a unit's to-do counts (to sign for, replies awaiting
its leader's sign-off, due soon, overdue) with its most urgent items; the office's and
leaders' overdue cases."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from renda.cases import selectors
from renda.cases.models import CaseStatus
from renda.cases.policies import cases as case_policy
from renda.core import policies, workbench
from renda.core.dates import local_date
from renda.core.models import OVERSIGHT_ROLES, UNIT_ROLES, Role
from renda.web import menu

TOP = 5
SOON_DAYS = 15


def unit_todo(user: Any) -> dict[str, Any] | None:
    today = local_date()
    todo = selectors.unit_todo(user)
    counts = todo.order_by().aggregate(
        to_sign=Count("pk", filter=Q(status=CaseStatus.ASSIGNED)),
        to_approve=Count("pk", filter=Q(status=CaseStatus.DRAFTED)),
        due_soon=Count(
            "pk",
            filter=Q(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=SOON_DAYS)),
        ),
        overdue=Count("pk", filter=Q(due_on__lt=today)),
    )
    items = list(todo[:TOP])
    for case in items:
        case.days_left = (case.due_on - today).days  # type: ignore[attr-defined]
    signs_off = bool(policies.organization_ids(user, Role.UNIT_LEADER))
    return {
        **counts,
        "items": items,
        "signs_off": signs_off,
        "handles": bool(policies.organization_ids(user, Role.UNIT)),
    }


def office_overdue(user: Any) -> dict[str, Any] | None:
    overdue = selectors.cases_for(user, overdue=True)
    return {"count": overdue.count(), "items": list(overdue.order_by("due_on", "id")[:TOP])}


def register() -> None:
    workbench.register(
        workbench.Panel(
            key="cases.todo",
            title=cast(str, _("交办事项待办")),
            roles=frozenset(UNIT_ROLES),
            build=unit_todo,
            template="cases/panels/todo.html",
            order=12,
        )
    )
    workbench.register(
        workbench.Panel(
            key="cases.overdue",
            title=cast(str, _("逾期未答复事项")),
            roles=frozenset(OVERSIGHT_ROLES),
            build=office_overdue,
            template="cases/panels/overdue.html",
            order=14,
        )
    )
    # A unit's staff see their to-do list; offices, leaders and the supervision office the
    # cases of their region.
    menu.register(
        menu.Entry(
            "cases",
            _("我的待办"),
            "cases:list",
            110,
            lambda user: policies.has_role(user, *UNIT_ROLES),
            [("cases", "")],
        )
    )
    menu.register(
        menu.Entry(
            "cases", _("交办事项"), "cases:list", 111, case_policy.lists_region, [("cases", "")]
        )
    )
