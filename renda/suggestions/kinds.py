"""Notification kinds of suggestions and motions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from renda.notifications import kinds

COSIGN = kinds.register(
    "suggestion_cosign",
    _("附议邀请"),
    description=_("其他代表邀请您附议(联名)议案或建议,以及您邀请的代表确认或谢绝。"),
)
REVIEW = kinds.register(
    "suggestion_review",
    _("议案建议审查"),
    description=_("议案建议待审查(人大机关),以及立案、退回修改、转为建议、并案、交办(代表)。"),
)
