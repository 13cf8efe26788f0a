"""The case workflow ("cases.case"): every step a unit, its leader, the office, an overseer
or the author takes on a case, on the one table of legal moves (CASE_TRANSITIONS).

The services take these steps through ``workflow.move`` (status changes), ``workflow.opened``
(the assignment) and ``workflow.note`` (timeline entries that keep the status: a contact, a
co-unit's opinion, a promise reported done, publication, supervision); the case page and the
API offer exactly ``workflow.available_actions``. Step labels are the words of the refusal
"当前状态为……,不能执行……" the services have always given.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from renda.cases import selectors
from renda.cases.models import (
    CASE_TRANSITIONS,
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseStatus,
    Reply,
    ResultClass,
)
from renda.cases.policies import CaseAction
from renda.cases.policies import cases as case_policy
from renda.core.dates import local_date
from renda.core.workflow import Workflow, step

KEY = "cases.case"

# Every status: steps on the latest reply (a promise reported done, publication) do not
# depend on where the case stands.
ANY_STATUS = tuple(CaseStatus.values)
# Where a unit on the case may record a contact with the author, and a co-unit send its
# opinion.
CONTACT_STATUSES = (
    CaseStatus.ASSIGNED,
    CaseStatus.SIGNED,
    CaseStatus.DRAFTED,
    CaseStatus.REOPENED,
    CaseStatus.REPLIED,
)
CO_OPINION_STATUSES = (
    CaseStatus.ASSIGNED,
    CaseStatus.SIGNED,
    CaseStatus.REASSIGN_REQUESTED,
    CaseStatus.DRAFTED,
    CaseStatus.REOPENED,
)
# Where the lead unit answers (and drafts its answer).
REPLY_STATUSES = (CaseStatus.SIGNED, CaseStatus.REOPENED)
# Where the lead unit may still ask for another unit (until case.reassign_until).
REASSIGN_STATUSES = (CaseStatus.ASSIGNED, CaseStatus.SIGNED)


def _latest_reply(case: Case) -> Reply | None:
    return Reply.objects.filter(case_id=case.pk).order_by("-round").first()


def within_reassign_days(user: Any, case: Case) -> bool:
    """Reassignment may be asked for until the Beijing date ``case.reassign_until``."""
    return local_date() <= case.reassign_until


def sends_reply(user: Any, case: Case) -> bool:
    """The actor's reply goes out at once: they are the unit's leader, or the unit has none."""
    return selectors.reply_mode(user, case) != selectors.ReplyMode.DRAFT


def drafts_reply(user: Any, case: Case) -> bool:
    """The actor's reply is a draft for the unit's leader to sign off."""
    return selectors.reply_mode(user, case) == selectors.ReplyMode.DRAFT


def is_author(user: Any, case: Case) -> bool:
    """Only the author rates the replies (whatever else their account may do)."""
    return user is not None and case.author_id is not None and case.author_id == user.pk


def promise_open(user: Any, case: Case) -> bool:
    """The latest reply is of class B and its promised measures are not yet reported done."""
    latest = _latest_reply(case)
    return (
        latest is not None
        and latest.result_class == ResultClass.B
        and latest.promise_done_at is None
    )


def unpublished_reply(user: Any, case: Case) -> bool:
    latest = _latest_reply(case)
    return latest is not None and latest.published_at is None


workflow: Workflow[Case] = Workflow(
    key=KEY,
    model=Case,
    table=CASE_TRANSITIONS,
    policy=case_policy,
    event_model=CaseEvent,
    subject_field="case",
    steps=[
        # The lead unit.
        step(
            "sign",
            _("签收"),
            sources=[CaseStatus.ASSIGNED],
            to=CaseStatus.SIGNED,
            permission=CaseAction.HANDLE,
        ),
        step(
            "request_reassignment",
            _("申请调整承办单位"),
            sources=REASSIGN_STATUSES,
            to=CaseStatus.REASSIGN_REQUESTED,
            permission=CaseAction.HANDLE,
            guard=within_reassign_days,
        ),
        step(
            "reply",
            _("答复"),
            sources=REPLY_STATUSES,
            to=CaseStatus.REPLIED,
            permission=CaseAction.HANDLE,
            guard=sends_reply,
        ),
        step(
            "draft_reply",
            _("答复"),
            sources=REPLY_STATUSES,
            to=CaseStatus.DRAFTED,
            permission=CaseAction.HANDLE,
            guard=drafts_reply,
        ),
        # The lead unit's leader signs off its staff's draft, or returns it to where the case
        # was before the draft (the service names that state).
        step(
            "approve_reply",
            _("签发答复"),
            sources=[CaseStatus.DRAFTED],
            to=CaseStatus.REPLIED,
            permission=CaseAction.APPROVE,
        ),
        step(
            "return_reply",
            _("退回修改"),
            sources=[CaseStatus.DRAFTED],
            to=[CaseStatus.SIGNED, CaseStatus.REOPENED],
            permission=CaseAction.APPROVE,
        ),
        # The office decides a reassignment request: approved, the case goes to the new lead
        # unit; refused, back to the state it was in (the service names it).
        step(
            "approve_reassignment",
            _("审核调整申请"),
            sources=[CaseStatus.REASSIGN_REQUESTED],
            to=CaseStatus.ASSIGNED,
            permission=CaseAction.CHANGE,
        ),
        step(
            "refuse_reassignment",
            _("审核调整申请"),
            sources=[CaseStatus.REASSIGN_REQUESTED],
            to=[CaseStatus.ASSIGNED, CaseStatus.SIGNED],
            permission=CaseAction.CHANGE,
        ),
        # The author: satisfied closes the case, unsatisfied reopens it (the service chooses).
        step(
            "rate",
            _("评价"),
            sources=[CaseStatus.REPLIED],
            to=[CaseStatus.CLOSED, CaseStatus.REOPENED],
            permission=CaseAction.RATE,
            guard=is_author,
            refusal=_("只有提出人可以评价答复。"),
        ),
        # Timeline entries that keep the status.
        step(
            "contact",
            _("记录沟通情况"),
            sources=CONTACT_STATUSES,
            permission=CaseAction.CONTACT,
        ),
        step(
            "co_opinion",
            _("提出协办意见"),
            sources=CO_OPINION_STATUSES,
            permission=CaseAction.CO_OPINION,
        ),
        step(
            "promise_done",
            _("承诺事项完成"),
            sources=ANY_STATUS,
            permission=CaseAction.HANDLE,
            guard=promise_open,
        ),
        step(
            "publish",
            _("公开答复"),
            sources=ANY_STATUS,
            permission=CaseAction.CHANGE,
            guard=unpublished_reply,
        ),
        step(
            "supervise",
            _("督办"),
            sources=OPEN_STATUSES,
            permission=CaseAction.SUPERVISE,
        ),
    ],
)

# The case page's steps (its forms and the URL's step names) and the workflow steps each
# one takes: a page step is offered when one of its workflow steps is available.
PAGE_STEPS: dict[str, frozenset[str]] = {
    "sign": frozenset({"sign"}),
    "reassign": frozenset({"request_reassignment"}),
    "reply": frozenset({"reply", "draft_reply"}),
    "signoff": frozenset({"approve_reply", "return_reply"}),
    "decide": frozenset({"approve_reassignment", "refuse_reassignment"}),
    "rate": frozenset({"rate"}),
    "contact": frozenset({"contact"}),
    "opinion": frozenset({"co_opinion"}),
    "promise": frozenset({"promise_done"}),
    "publish": frozenset({"publish"}),
    "supervise": frozenset({"supervise"}),
}


def page_actions(user: Any, case: Case) -> set[str]:
    """The case page's steps this user may take now: exactly what the mover allows."""
    available = workflow.available_actions(user, case)
    return {name for name, steps in PAGE_STEPS.items() if steps & available}
