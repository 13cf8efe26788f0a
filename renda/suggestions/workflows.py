"""The suggestion workflow ("suggestions.suggestion"): the deputy's submission, the office's
review (accept, return, treat a motion as a suggestion), merging a duplicate, the presidium's
decision on a motion and the assignment to units, on the one table of legal moves
(SUGGESTION_TRANSITIONS); and the timeline entries that keep the status (invitations to
co-sign, their answers, joining, a duplicate absorbed, a presidium decision on an accepted
motion).

The services take these steps through ``workflow.move``, ``workflow.opened`` (the draft) and
``workflow.note``; the pages offer what ``workflow.available_actions`` allows. Step labels are
the words of the refusal "当前状态为……,不能执行……" the services have always given.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from renda.core.policies import Action
from renda.core.workflow import Workflow, step
from renda.suggestions import selectors
from renda.suggestions.models import (
    COSIGN_OPEN,
    EDITABLE_STATUSES,
    LODGED_STATUSES,
    SUGGESTION_TRANSITIONS,
    Suggestion,
    SuggestionEvent,
    SuggestionStatus,
)
from renda.suggestions.policies import JOIN, REVIEW
from renda.suggestions.policies import suggestions as policy

KEY = "suggestions.suggestion"

# Review decisions, each a step of its own (the review form's choice is the step's action).
REVIEW_DECISIONS = ("accept", "return", "convert")
# Where a duplicate may be merged into another suggestion.
MERGEABLE = (SuggestionStatus.SUBMITTED, SuggestionStatus.ACCEPTED, SuggestionStatus.CONVERTED)
# Where the presidium's decision on a motion is recorded.
PRESIDIUM_STATUSES = (SuggestionStatus.SUBMITTED, SuggestionStatus.ACCEPTED)
ASSIGNABLE = (SuggestionStatus.ACCEPTED, SuggestionStatus.CONVERTED)


def is_motion(user: Any, item: Suggestion) -> bool:
    """Only a motion is treated as a suggestion (转为建议)."""
    return item.is_motion


def presidium_open(user: Any, item: Suggestion) -> bool:
    return selectors.presidium_open(item)


def assignable(user: Any, item: Suggestion) -> bool:
    return selectors.can_assign(item)


def invited(user: Any, item: Suggestion) -> bool:
    """The user was invited to co-sign (confirm or decline is theirs to give)."""
    return user is not None and item.cosigners.filter(mandate__person__user__id=user.pk).exists()


def joinable(user: Any, item: Suggestion) -> bool:
    return user is not None and selectors.joinable(item, user) is not None


workflow: Workflow[Suggestion] = Workflow(
    key=KEY,
    model=Suggestion,
    table=SUGGESTION_TRANSITIONS,
    policy=policy,
    event_model=SuggestionEvent,
    subject_field="suggestion",
    steps=[
        # The deputy (or the station for its deputies) submits a draft or a returned one.
        step(
            "submit",
            _("提交"),
            sources=EDITABLE_STATUSES,
            to=SuggestionStatus.SUBMITTED,
            permission=Action.CHANGE,
        ),
        # The office's review.
        step(
            "accept",
            _("立案"),
            sources=[SuggestionStatus.SUBMITTED],
            to=SuggestionStatus.ACCEPTED,
            permission=REVIEW,
        ),
        step(
            "return",
            _("退回修改"),
            sources=[SuggestionStatus.SUBMITTED],
            to=SuggestionStatus.RETURNED,
            permission=REVIEW,
        ),
        step(
            "convert",
            _("转为建议"),
            sources=[SuggestionStatus.SUBMITTED, SuggestionStatus.ACCEPTED],
            to=SuggestionStatus.CONVERTED,
            permission=REVIEW,
            guard=is_motion,
        ),
        step(
            "merge",
            _("并案"),
            sources=MERGEABLE,
            to=SuggestionStatus.MERGED,
            permission=REVIEW,
        ),
        # The presidium's decision: treated as a suggestion converts the motion; on the agenda
        # or to a committee accepts a submitted one (the service chooses the target).
        step(
            "presidium",
            _("登记主席团决定"),
            sources=PRESIDIUM_STATUSES,
            to=[SuggestionStatus.ACCEPTED, SuggestionStatus.CONVERTED],
            permission=REVIEW,
            guard=presidium_open,
        ),
        step(
            "assign",
            _("交办"),
            sources=ASSIGNABLE,
            to=SuggestionStatus.ASSIGNED,
            permission=REVIEW,
            guard=assignable,
        ),
        # Timeline entries that keep the status.
        step(
            "presidium_record",
            _("登记主席团决定"),
            sources=[SuggestionStatus.ACCEPTED],
            permission=REVIEW,
            guard=presidium_open,
        ),
        step(
            "invite",
            _("邀请附议"),
            sources=EDITABLE_STATUSES,
            permission=Action.CHANGE,
        ),
        step(
            "confirm",
            _("确认附议"),
            sources=COSIGN_OPEN,
            permission=Action.VIEW,
            guard=invited,
        ),
        step(
            "decline",
            _("谢绝附议"),
            sources=COSIGN_OPEN,
            permission=Action.VIEW,
            guard=invited,
        ),
        step("join", _("附议"), sources=LODGED_STATUSES, permission=JOIN, guard=joinable),
        # The suggestion kept when a duplicate is merged into it.
        step(
            "absorb",
            _("并入相同议案建议"),
            sources=LODGED_STATUSES,
            permission=REVIEW,
        ),
    ],
)
