"""The public portal's menu entries: shown to everyone, signed in or not."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from renda.web import menu


def register() -> None:
    menu.register(
        menu.Entry("portal", _("人大代表"), "portal:deputies", 20, menu.everyone, [("portal", "")])
    )
    menu.register(
        menu.Entry(
            "replies",
            _("建议答复公开"),
            "portal:suggestions",
            30,
            menu.everyone,
            [("portal", "suggestion")],
        )
    )
