"""Notification kinds of duty performance."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from renda.notifications import kinds

INVITATION = kinds.register(
    "duty_invitation",
    _("履职活动邀请"),
    description=_("联络站或人大机关邀请您参加会议、视察、调研、接待选民等活动,以及活动取消。"),
    sms=True,
)
REVIEW = kinds.register(
    "duty_review",
    _("履职记录确认"),
    description=_("履职记录待确认(联络站、机关),以及记录被确认或退回(代表)。"),
)
