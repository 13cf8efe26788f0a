"""Notification kinds of case handling."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from renda.notifications import kinds

ASSIGNED = kinds.register(
    "case_assigned",
    _("交办通知"),
    description=_("建议、意见等事项交办给您的单位,调整承办单位后重新交办,以及不满意后重新办理。"),
    sms=True,
)
PROGRESS = kinds.register(
    "case_progress",
    _("办理进展"),
    description=_("签收、申请调整、协办意见、评价、督办等办理过程中的变化。"),
)
REPLY = kinds.register(
    "case_reply",
    _("办理答复"),
    description=_("您提出的事项收到承办单位答复,请及时评价。"),
    sms=True,
)
DUE_SOON = kinds.register(
    "case_due_soon",
    _("办理期限提醒"),
    description=_("交办事项或协办意见即将到期。"),
    sms=True,
)
OVERDUE = kinds.register(
    "case_overdue",
    _("逾期督办"),
    description=_("交办事项超过答复期限仍未答复。"),
    sms=True,
)
SIGN_OFF = kinds.register(
    "case_sign_off",
    _("答复签发"),
    description=_("本单位经办人拟好的答复等待您签发,或您拟的答复已签发、被退回修改。"),
)
