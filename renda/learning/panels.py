"""Workbench panel: a deputy's unread study materials, so a notice is not missed."""

from __future__ import annotations

from typing import Any, cast

from django.utils.translation import gettext_lazy as _

from renda.core import workbench
from renda.core.models import Role
from renda.core.policies import Action
from renda.learning import selectors
from renda.learning.policies import materials as material_policy
from renda.web import menu

LATEST = 3


def my_unread(user: Any) -> dict[str, Any] | None:
    if not getattr(user, "person_id", None):
        return None
    receipts = selectors.inbox(user).filter(read_at__isnull=True)
    return {"count": receipts.count(), "receipts": list(receipts[:LATEST])}


def register() -> None:
    workbench.register(
        workbench.Panel(
            key="learning.unread",
            title=cast(str, _("学习资料")),
            roles=frozenset({Role.DEPUTY}),
            build=my_unread,
            template="learning/panels/unread.html",
            order=18,
        )
    )
    menu.register(
        menu.Entry(
            "learning",
            _("学习资料"),
            "learning:manage",
            140,
            lambda user: material_policy.allows_anywhere(user, Action.CHANGE),
            [("learning", "")],
        )
    )
    menu.register(
        menu.Entry(
            "learning",
            _("学习资料"),
            "learning:list",
            141,
            lambda user: material_policy.allows_anywhere(user, Action.VIEW),
            [("learning", "")],
        )
    )
