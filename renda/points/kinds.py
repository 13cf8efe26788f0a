"""The notification kinds of the points system, registered when the app is ready."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from renda.notifications import kinds

DISPUTE_DECIDED = "points_dispute"
EVALUATION = "points_evaluation"


def register() -> None:
    kinds.register(
        DISPUTE_DECIDED,
        _("积分申诉处理结果"),
        description=_("您对履职积分提出的申诉经人大机关处理后的结果。"),
    )
    kinds.register(
        EVALUATION,
        _("年度履职评价"),
        description=_("年度履职评价的机关评价结果,或自评被退回修改。"),
    )
