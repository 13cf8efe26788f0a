"""The deputies app's place in the page frame: its menu entry."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from renda.deputies.policies import mandates as mandate_policy
from renda.web import menu


def register() -> None:
    menu.register(
        menu.Entry(
            "deputies",
            _("代表名册"),
            "deputies:list",
            60,
            mandate_policy.lists_region,
            [("deputies", "")],
        )
    )
