"""The administration console's menu entry."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from renda.core import policies
from renda.core.policies import Action
from renda.web import menu


def register() -> None:
    menu.register(
        menu.Entry(
            "accounts",
            _("账号与角色"),
            "console:accounts",
            160,
            lambda user: policies.accounts.allows_anywhere(user, Action.CHANGE),
            [("console", "")],
        )
    )
