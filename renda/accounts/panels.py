"""The accounts app's menu entry: every signed-in person's security settings."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from renda.web import menu


def register() -> None:
    menu.register(
        menu.Entry(
            "security",
            _("安全设置"),
            "accounts:security",
            180,
            menu.signed_in,
            [("accounts", "security")],
        )
    )
