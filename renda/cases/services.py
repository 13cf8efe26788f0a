"""Writes for case handling: assignment, sign-for, reassignment, contacts, co-unit opinions,
replies and their sign-off (签发) inside the unit, ratings, reopening, promises, publication,
supervision and the deadline scan.

Every step locks the case row, checks the policy, and goes through the case workflow
(renda.cases.workflows): ``workflow.move`` checks the state and the table, writes the new
state with one timeline event and one audit event; ``workflow.note`` writes the timeline entry
of a step that keeps the status. The people concerned are notified once the change has
committed. The module that owns the item (e.g. suggestions) calls these with its own
``subject_type``; nothing here knows that module.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from renda.cases import kinds as notification_kinds
from renda.cases import subjects
from renda.cases.deadlines import add_months, reminder_steps, reply_due
from renda.cases.models import (
    DEFAULT_ESCALATE_DAYS,
    DEFAULT_REMIND_DAYS,
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseStatus,
    CaseUnit,
    Contact,
    ContactMethod,
    DeadlineRules,
    DraftDecision,
    Evaluation,
    Rating,
    Reminder,
    ReminderKind,
    Reply,
    ReplyDraft,
    ResultClass,
    UnitRole,
)
from renda.cases.policies import CaseAction
from renda.cases.policies import cases as case_policy
from renda.cases.selectors import (
    ReplyMode,
    office_staff,
    offices_by_region,
    reply_mode,
    staff_by_unit,
    unit_leaders,
    unit_staff,
)
from renda.cases.workflows import workflow
from renda.core import audit, policies
from renda.core.dates import local_date
from renda.core.errors import Conflict, InvalidInput, NotPermitted
from renda.core.logging import get_logger
from renda.core.models import (
    UNIT_ROLES,
    AuditAction,
    Congress,
    Organization,
    Role,
    User,
    code_bounds,
)
from renda.notifications import services as notifications

log = get_logger(__name__)

TITLE_MAX = 200
TEXT_MAX = 20000
COMMENT_MAX = 2000
NAME_MAX = 50
# How many case titles a digest reminder lists before "and N more".
DIGEST_TITLES = 5
# Days before a co-unit's opinion falls due on which it is reminded.
CO_OPINION_REMIND_DAYS = 3


# Deadline rules ------------------------------------------------------------------------------


def _stored_rules(congress: Congress | int) -> DeadlineRules:
    """The congress's rules row for a write, storing the legal defaults the first time."""
    congress_id = congress if isinstance(congress, int) else congress.pk
    rules, _created = DeadlineRules.objects.get_or_create(
        congress_id=congress_id,
        defaults={
            "remind_days": list(DEFAULT_REMIND_DAYS),
            "escalate_days": list(DEFAULT_ESCALATE_DAYS),
        },
    )
    return rules


@transaction.atomic
def set_rules(
    *,
    actor: User,
    congress: Congress,
    reply_months: int,
    complex_reply_months: int,
    co_unit_months: int,
    reopen_months: int,
    reassign_days: int,
    remind_days: Sequence[int],
    escalate_days: Sequence[int],
) -> DeadlineRules:
    """An office changes its congress's deadlines (cases already assigned keep theirs)."""
    if not case_policy.can_in_region(actor, CaseAction.ASSIGN, congress.region_id):
        raise NotPermitted(_("您不能修改该人大的办理期限规则。"))
    errors: dict[str, list[str]] = {}
    for name, value, low, high in (
        ("reply_months", reply_months, 1, 12),
        ("complex_reply_months", complex_reply_months, 1, 24),
        ("co_unit_months", co_unit_months, 1, 12),
        ("reopen_months", reopen_months, 1, 12),
        ("reassign_days", reassign_days, 0, 90),
    ):
        if not low <= value <= high:
            errors[name] = [
                _("请填写 %(low)d 到 %(high)d 之间的整数。") % {"low": low, "high": high}
            ]
    if complex_reply_months < reply_months:
        errors.setdefault("complex_reply_months", []).append(
            _("复杂事项的答复期限不能短于一般事项。")
        )
    for name, values in (("remind_days", remind_days), ("escalate_days", escalate_days)):
        if any(not 0 <= v <= 365 for v in values):
            errors[name] = [_("天数须在 0 到 365 之间。")]
    if errors:
        raise InvalidInput(field_errors=errors)
    rules = DeadlineRules.objects.select_for_update().get(pk=_stored_rules(congress).pk)
    fields = [
        "reply_months",
        "complex_reply_months",
        "co_unit_months",
        "reopen_months",
        "reassign_days",
        "remind_days",
        "escalate_days",
    ]
    before = audit.snapshot(rules, fields)
    rules.reply_months, rules.complex_reply_months = reply_months, complex_reply_months
    rules.co_unit_months, rules.reopen_months = co_unit_months, reopen_months
    rules.reassign_days = reassign_days
    rules.remind_days = sorted(set(remind_days), reverse=True)
    rules.escalate_days = sorted(set(escalate_days))
    rules.save()
    old, new = audit.diff(before, audit.snapshot(rules, fields))
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=rules,
        region_code=congress.region_id,
        before=old,
        after=new,
    )
    return rules


# Notifications -------------------------------------------------------------------------------


def _subject(case: Case) -> str:
    return str(subjects.label(case.subject_type))


def _notify(
    recipients: Iterable[int | None],
    kind: str,
    title: str,
    body: str,
    case: Case,
    *,
    link: str = "",
    **sms: Any,
) -> None:
    """Notify once the change has committed: a rolled-back step tells nobody anything. The
    message links to the item (e.g. the suggestion), or to ``link``."""
    ids = sorted({r for r in recipients if r})
    if not ids:
        return
    url = link or subjects.url(case.subject_type, case.subject_id)
    params = {"title": case.title[:20], **sms}

    def send() -> None:
        notifications.notify(
            recipients=ids, kind=kind, title=title[:200], body=body, url=url, sms_params=params
        )

    transaction.on_commit(send, robust=True)


# The state machine ---------------------------------------------------------------------------


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("lead_unit", "congress").get(pk=case.pk)


def _actor_units(actor: Any) -> set[int]:
    return policies.organization_ids(actor, *UNIT_ROLES)


def _check(actor: Any, case: Case, action: str) -> None:
    """The policy check, with a clear word for a unit whose case was moved elsewhere: it can
    no longer see the case, but it should learn why rather than read "not found"."""
    if case_policy.can(actor, case, action):
        return
    units = _actor_units(actor)
    moved = (
        units
        and CaseUnit.objects.filter(case=case, unit_id__in=units, active=False).exists()
        and not CaseUnit.objects.filter(case=case, unit_id__in=units, active=True).exists()
    )
    if moved:
        raise NotPermitted(_("该事项已调整由其他单位承办,您的单位不能再办理。请刷新待办列表。"))
    case_policy.check(actor, case, action)


def _acting_unit(actor: Any, case: Case, role: str) -> CaseUnit:
    """The actor's active unit on the case in ``role``; superusers act for the lead unit."""
    units = CaseUnit.objects.select_for_update().filter(case=case, active=True, role=role)
    if not getattr(actor, "is_superuser", False):
        units = units.filter(unit_id__in=_actor_units(actor))
    found = units.order_by("id").first()
    if found is None:
        raise NotPermitted()
    return found


def _text(value: str, limit: int = TEXT_MAX) -> str:
    return (value or "").strip()[:limit]


# Assignment ----------------------------------------------------------------------------------


def _check_unit(unit: Organization | None, congress: Congress) -> str | None:
    if unit is None:
        return _("请选择承办单位。")
    if not unit.is_handling_unit or not unit.is_active:
        return _("“%(name)s”不是可以承办事项的单位。") % {"name": unit.name}
    low, high = code_bounds(congress.region_id, congress.region.level)
    if not low <= unit.region_id <= high:
        return _("“%(name)s”不在%(congress)s的辖区内。") % {
            "name": unit.name,
            "congress": congress.name,
        }
    return None


@transaction.atomic
def assign(
    *,
    actor: User,
    subject_type: str,
    subject_id: str,
    title: str,
    congress: Congress,
    author: User | None,
    lead_unit: Organization,
    co_units: Sequence[Organization] = (),
    is_complex: bool = False,
    is_key: bool = False,
    supervisor: User | None = None,
) -> Case:
    """Hand an item to a lead unit and co-units (交办), with deadlines from the congress's
    rules. An item has at most one case: a second assignment, e.g. by two office users at
    once, is refused with a Chinese message."""
    if not case_policy.can_in_region(actor, CaseAction.ASSIGN, congress.region_id):
        raise NotPermitted(_("您不能以%(congress)s的名义交办事项。"), congress=congress.name)
    errors: dict[str, list[str]] = {}
    if not subject_type or not str(subject_id):
        raise ValueError("a case needs the subject_type and subject_id of its item")
    if not title.strip():
        errors["title"] = [_("请填写标题。")]
    problem = _check_unit(lead_unit, congress)
    if problem:
        errors["lead_unit"] = [problem]
    co = list(dict.fromkeys(co_units))
    co_problems = [p for p in (_check_unit(u, congress) for u in co) if p]
    if any(u.pk == lead_unit.pk for u in co):
        co_problems.append(_("主办单位不能同时是协办单位。"))
    if co_problems:
        errors["co_units"] = co_problems
    if errors:
        raise InvalidInput(field_errors=errors)
    if Case.objects.filter(subject_type=subject_type, subject_id=str(subject_id)).exists():
        raise Conflict(_("该事项已交办,请刷新后查看。"))

    rules = _stored_rules(congress)
    now = timezone.now()
    today = local_date(now)
    try:
        with transaction.atomic():
            case = Case.objects.create(
                subject_type=subject_type,
                subject_id=str(subject_id),
                title=title.strip()[:TITLE_MAX],
                region_id=congress.region_id,
                congress=congress,
                author=author,
                status=CaseStatus.ASSIGNED,
                lead_unit=lead_unit,
                is_complex=is_complex,
                is_key=is_key,
                supervisor=supervisor,
                assigned_at=now,
                reassign_until=today + datetime.timedelta(days=rules.reassign_days),
                due_on=reply_due(rules, today, is_complex=is_complex),
            )
    except IntegrityError:
        # The other office user's assignment committed between our check and our insert.
        raise Conflict(_("该事项已交办,请刷新后查看。")) from None
    opinion_due = add_months(today, rules.co_unit_months)
    CaseUnit.objects.bulk_create(
        [
            CaseUnit(case=case, unit=lead_unit, role=UnitRole.LEAD, assigned_at=now),
            *(
                CaseUnit(
                    case=case, unit=u, role=UnitRole.CO, assigned_at=now, opinion_due_on=opinion_due
                )
                for u in co
            ),
        ]
    )
    comment = _("主办:%(lead)s") % {"lead": lead_unit.name}
    if co:
        comment += _(";协办:%(co)s") % {"co": "、".join(u.name for u in co)}
    workflow.opened(
        case, actor=actor, action="assign", comment=comment, event={"unit_id": lead_unit.pk}
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=case,
        after={
            **audit.snapshot(
                case,
                [
                    "subject_type",
                    "subject_id",
                    "title",
                    "lead_unit",
                    "is_complex",
                    "is_key",
                    "due_on",
                    "reassign_until",
                ],
            ),
            "co_units": [u.pk for u in co],
        },
        message=comment,
    )
    what = _subject(case)
    _notify(
        unit_staff([lead_unit.pk]),
        notification_kinds.ASSIGNED.code,
        _("新交办%(what)s:%(title)s") % {"what": what, "title": case.title},
        _("请于 %(reassign)s 前签收或申请调整承办单位,%(due)s 前答复。")
        % {"reassign": case.reassign_until.isoformat(), "due": case.due_on.isoformat()},
        case,
        due=case.due_on.isoformat(),
    )
    if co:
        _notify(
            unit_staff([u.pk for u in co]),
            notification_kinds.ASSIGNED.code,
            _("协办%(what)s:%(title)s") % {"what": what, "title": case.title},
            _("主办单位为%(lead)s,请于 %(due)s 前提出协办意见。")
            % {"lead": lead_unit.name, "due": opinion_due.isoformat()},
            case,
            due=opinion_due.isoformat(),
        )
    return case


@transaction.atomic
def sign(*, actor: User, case: Case) -> Case:
    """The lead unit signs for the case (签收)."""
    locked = _lock(case)
    _check(actor, locked, CaseAction.HANDLE)
    workflow.require(locked, "sign")
    now = timezone.now()
    lead = _acting_unit(actor, locked, UnitRole.LEAD)
    lead.signed_at = now
    lead.save(update_fields=["signed_at"])
    locked.signed_at = now
    workflow.move(
        locked,
        actor=actor,
        action="sign",
        fields=["signed_at"],
        event={"unit_id": lead.unit_id},
        check_policy=False,
    )
    _notify(
        [locked.author_id],
        notification_kinds.PROGRESS.code,
        _("%(what)s已签收:%(title)s") % {"what": _subject(locked), "title": locked.title},
        _("%(unit)s已签收,正在办理。") % {"unit": locked.lead_unit.name},
        locked,
    )
    return locked


@transaction.atomic
def request_reassignment(*, actor: User, case: Case, reason: str) -> Case:
    """The lead unit asks the office to assign the case elsewhere, within the set days."""
    locked = _lock(case)
    _check(actor, locked, CaseAction.HANDLE)
    workflow.require(locked, "request_reassignment")
    if not reason.strip():
        raise InvalidInput(field_errors={"reason": [_("请填写申请调整的理由。")]})
    if local_date() > locked.reassign_until:
        raise InvalidInput(
            _("申请调整的期限已于 %(date)s 截止,请按期办理;确需调整的,请与人大机关联系。"),
            date=locked.reassign_until.isoformat(),
        )
    lead = _acting_unit(actor, locked, UnitRole.LEAD)
    locked.status_before_request = locked.status
    workflow.move(
        locked,
        actor=actor,
        action="request_reassignment",
        fields=["status_before_request"],
        comment=_text(reason, COMMENT_MAX),
        event={"unit_id": lead.unit_id},
        check_policy=False,
    )
    _notify(
        office_staff(locked.region_id),
        notification_kinds.PROGRESS.code,
        _("申请调整承办单位:%(title)s") % {"title": locked.title},
        _("%(unit)s申请调整,理由:%(reason)s")
        % {"unit": locked.lead_unit.name, "reason": _text(reason, 200)},
        locked,
    )
    return locked


@transaction.atomic
def decide_reassignment(
    *,
    actor: User,
    case: Case,
    approve: bool,
    new_lead_unit: Organization | None,
    comment: str,
) -> Case:
    """The office approves (the case goes to the new lead unit with fresh deadlines) or
    refuses (it returns to the state it was in)."""
    locked = _lock(case)
    _check(actor, locked, CaseAction.CHANGE)
    target = (
        CaseStatus.ASSIGNED if approve else (locked.status_before_request or CaseStatus.ASSIGNED)
    )
    action = "approve_reassignment" if approve else "refuse_reassignment"
    workflow.require(locked, action, to=target)
    old_unit = locked.lead_unit
    if not approve:
        if not comment.strip():
            raise InvalidInput(field_errors={"comment": [_("请填写不同意调整的理由。")]})
        locked.status_before_request = ""
        workflow.move(
            locked,
            actor=actor,
            action=action,
            to=target,
            fields=["status_before_request"],
            comment=_text(comment, COMMENT_MAX),
            event={"unit_id": old_unit.pk},
            check_policy=False,
        )
        _notify(
            unit_staff([old_unit.pk]),
            notification_kinds.PROGRESS.code,
            _("调整申请未获同意:%(title)s") % {"title": locked.title},
            _("请继续办理。理由:%(comment)s") % {"comment": _text(comment, 200)},
            locked,
        )
        return locked
    problem = _check_unit(new_lead_unit, locked.congress)
    if problem is None and new_lead_unit is not None and new_lead_unit.pk == old_unit.pk:
        problem = _("新的主办单位不能与原主办单位相同。")
    if problem:
        raise InvalidInput(field_errors={"new_lead_unit": [problem]})
    assert new_lead_unit is not None
    now = timezone.now()
    today = local_date(now)
    rules = _stored_rules(locked.congress)
    # The old lead (and the new one's co-unit place, if it had one) stay in the history.
    CaseUnit.objects.filter(case=locked, active=True).filter(
        Q(role=UnitRole.LEAD) | Q(unit=new_lead_unit)
    ).update(active=False)
    CaseUnit.objects.create(case=locked, unit=new_lead_unit, role=UnitRole.LEAD, assigned_at=now)
    locked.lead_unit = new_lead_unit
    locked.assigned_at = now
    locked.signed_at = None
    locked.status_before_request = ""
    locked.reassign_until = today + datetime.timedelta(days=rules.reassign_days)
    locked.due_on = reply_due(rules, today, is_complex=locked.is_complex)
    text = _("由%(old)s调整为%(new)s承办。") % {"old": old_unit.name, "new": new_lead_unit.name}
    if comment.strip():
        text += _text(comment, COMMENT_MAX)
    workflow.move(
        locked,
        actor=actor,
        action=action,
        fields=[
            "lead_unit",
            "assigned_at",
            "signed_at",
            "status_before_request",
            "reassign_until",
            "due_on",
        ],
        comment=text,
        event={"unit_id": new_lead_unit.pk},
        audit_after={"lead_unit": new_lead_unit.pk, "due_on": locked.due_on.isoformat()},
        check_policy=False,
    )
    _notify(
        unit_staff([new_lead_unit.pk]),
        notification_kinds.ASSIGNED.code,
        _("新交办%(what)s:%(title)s") % {"what": _subject(locked), "title": locked.title},
        _("经调整由您单位主办,请于 %(due)s 前答复。") % {"due": locked.due_on.isoformat()},
        locked,
        due=locked.due_on.isoformat(),
    )
    _notify(
        unit_staff([old_unit.pk]),
        notification_kinds.PROGRESS.code,
        _("同意调整承办单位:%(title)s") % {"title": locked.title},
        text,
        locked,
    )
    return locked


# Handling ------------------------------------------------------------------------------------


@transaction.atomic
def record_contact(
    *,
    actor: User,
    case: Case,
    method: str,
    happened_on: datetime.date | None,
    note: str,
) -> Contact:
    """A unit on the case records its contact with the author (面商、电话、走访)."""
    locked = _lock(case)
    _check(actor, locked, CaseAction.CONTACT)
    workflow.require(locked, "contact")
    errors: dict[str, list[str]] = {}
    if method not in ContactMethod.values:
        errors["method"] = [_("请选择沟通方式。")]
    if happened_on is None:
        errors["happened_on"] = [_("请填写沟通日期。")]
    elif happened_on > local_date():
        errors["happened_on"] = [_("沟通日期不能晚于今天。")]
    elif happened_on < local_date(locked.assigned_at) and locked.round == 1:
        errors["happened_on"] = [_("沟通日期不能早于交办日期。")]
    if not note.strip():
        errors["note"] = [_("请填写沟通情况。")]
    if errors:
        raise InvalidInput(field_errors=errors)
    assert happened_on is not None
    roles = (UnitRole.LEAD, UnitRole.CO)
    unit = (
        CaseUnit.objects.filter(case=locked, active=True, role__in=roles).order_by("role").first()
        if actor.is_superuser
        else CaseUnit.objects.filter(
            case=locked, active=True, role__in=roles, unit_id__in=_actor_units(actor)
        )
        .order_by("role")
        .first()
    )
    if unit is None:
        raise NotPermitted()
    contact = Contact.objects.create(
        case=locked,
        unit_id=unit.unit_id,
        method=method,
        happened_on=happened_on,
        note=_text(note),
        recorded_by=actor,
    )
    workflow.note(
        locked,
        actor=actor,
        action="contact",
        comment=f"{contact.get_method_display()} {happened_on.isoformat()}:{_text(note, 200)}",
        event={"unit_id": unit.unit_id},
        audit_of=contact,
        audit_action=AuditAction.CREATE,
        audit_after=audit.snapshot(contact, ["method", "happened_on", "unit"]),
    )
    return contact


@transaction.atomic
def submit_co_opinion(*, actor: User, case: Case, opinion: str) -> CaseUnit:
    """A co-unit sends its opinion to the lead unit (it may send a corrected one later)."""
    locked = _lock(case)
    _check(actor, locked, CaseAction.CO_OPINION)
    workflow.require(locked, "co_opinion")
    if not opinion.strip():
        raise InvalidInput(field_errors={"opinion": [_("请填写协办意见。")]})
    unit = _acting_unit(actor, locked, UnitRole.CO)
    now = timezone.now()
    unit.opinion = _text(opinion)
    unit.opinion_at = now
    unit.signed_at = unit.signed_at or now
    unit.save(update_fields=["opinion", "opinion_at", "signed_at"])
    workflow.note(
        locked,
        actor=actor,
        action="co_opinion",
        comment=_text(opinion, 500),
        event={"unit_id": unit.unit_id},
        audit_of=unit,
        audit_after={"opinion_at": now.isoformat()},
        audit_message=locked.title,
    )
    _notify(
        unit_staff([locked.lead_unit_id]),
        notification_kinds.PROGRESS.code,
        _("收到协办意见:%(title)s") % {"title": locked.title},
        _("%(unit)s已提出协办意见。") % {"unit": unit.unit.name},
        locked,
    )
    return unit


def _reply_errors(result_class: str, content: str, measures: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if result_class not in ResultClass.values:
        errors["result_class"] = [_("请选择办理结果(A、B 或 C 类)。")]
    if not content.strip():
        errors["content"] = [_("请填写答复内容。")]
    elif len(content.strip()) > TEXT_MAX:
        errors["content"] = [_("答复内容不能超过 %(n)d 个字。") % {"n": TEXT_MAX}]
    if result_class == ResultClass.B and not measures.strip():
        errors["measures"] = [_("B 类答复须写明承诺的措施和完成时限。")]
    return errors


def _case_link(case: Case) -> str:
    """The case page, where the unit drafts, signs off and revises its reply."""
    return reverse("cases:detail", args=[case.pk])


@transaction.atomic
def reply(
    *,
    actor: User,
    case: Case,
    result_class: str,
    content: str,
    measures: str,
    approved_by_name: str = "",
) -> Reply | ReplyDraft:
    """The lead unit answers for this round (答复函), approved inside the unit (签发): its
    leader's own reply is sent signed by them; a staff member's, in a unit with a leader
    account, becomes a draft awaiting the leader's sign-off (returned as a ReplyDraft); in a
    unit without one, the staff send it naming the signer in ``approved_by_name``."""
    locked = _lock(case)
    _check(actor, locked, CaseAction.HANDLE)
    mode = reply_mode(actor, locked)
    workflow.require(locked, "draft_reply" if mode == ReplyMode.DRAFT else "reply")
    errors = _reply_errors(result_class, content, measures)
    if mode == ReplyMode.TYPED:
        if not approved_by_name.strip():
            errors["approved_by_name"] = [_("请填写单位签发人。")]
        elif len(approved_by_name.strip()) > NAME_MAX:
            errors["approved_by_name"] = [_("签发人不能超过 %(n)d 个字。") % {"n": NAME_MAX}]
    if errors:
        raise InvalidInput(field_errors=errors)
    lead = _acting_unit(actor, locked, UnitRole.LEAD)
    if mode == ReplyMode.DRAFT:
        return _draft(
            actor,
            locked,
            lead.unit_id,
            result_class=result_class,
            content=content,
            measures=measures,
        )
    signer = approved_by_name if mode == ReplyMode.TYPED else actor.display_name
    return _send_reply(
        locked,
        actor=actor,
        unit_id=lead.unit_id,
        result_class=result_class,
        content=content,
        measures=measures,
        approved_by_name=signer,
        approved_by=actor if mode == ReplyMode.SELF_SIGNED else None,
        sent_by=actor,
        action="reply",
    )


def _send_reply(
    case: Case,
    *,
    actor: User,
    unit_id: int,
    result_class: str,
    content: str,
    measures: str,
    approved_by_name: str,
    approved_by: User | None,
    sent_by: User | None,
    action: str,
    extra: dict[str, Any] | None = None,
) -> Reply:
    """Send the round's reply to the author: deadline kept, on-time fixed, case replied."""
    now = timezone.now()
    answer = Reply.objects.create(
        case=case,
        round=case.round,
        unit_id=unit_id,
        result_class=result_class,
        content=content.strip(),
        measures=_text(measures),
        approved_by_name=approved_by_name.strip()[:NAME_MAX],
        approved_by=approved_by,
        sent_by=sent_by,
        sent_at=now,
        due_on=case.due_on,
        on_time=local_date(now) <= case.due_on,
    )
    case.replied_at = now
    workflow.move(
        case,
        actor=actor,
        action=action,
        fields=["replied_at"],
        comment=f"{answer.get_result_class_display()}",
        event={"unit_id": unit_id},
        audit_after={"round": case.round, "result_class": result_class, **(extra or {})},
        check_policy=False,
    )
    _notify(
        [case.author_id],
        notification_kinds.REPLY.code,
        _("%(what)s已答复:%(title)s") % {"what": _subject(case), "title": case.title},
        _("%(unit)s已答复(%(result)s),请查看并评价。")
        % {"unit": case.lead_unit.name, "result": answer.get_result_class_display()},
        case,
    )
    return answer


def _draft(
    actor: User, case: Case, unit_id: int, *, result_class: str, content: str, measures: str
) -> ReplyDraft:
    draft = ReplyDraft.objects.create(
        case=case,
        round=case.round,
        unit_id=unit_id,
        result_class=result_class,
        content=content.strip(),
        measures=_text(measures),
        from_status=case.status,
        drafted_by=actor,
        drafted_at=timezone.now(),
    )
    workflow.move(
        case,
        actor=actor,
        action="draft_reply",
        comment=draft.get_result_class_display(),
        event={"unit_id": unit_id},
        audit_after={"round": case.round, "draft": draft.pk, "result_class": result_class},
        check_policy=False,
    )
    _notify(
        unit_leaders(unit_id),
        notification_kinds.SIGN_OFF.code,
        _("答复待签发:%(title)s") % {"title": case.title},
        _("%(who)s拟好了答复(%(result)s),请审核后签发或退回修改。")
        % {"who": actor.display_name, "result": draft.get_result_class_display()},
        case,
        link=_case_link(case),
    )
    return draft


def _check_signer(actor: Any, case: Case) -> None:
    """Only the lead unit's leader signs off; others who see the case learn why."""
    if not case_policy.can(actor, case, CaseAction.APPROVE) and case_policy.can(
        actor, case, CaseAction.VIEW
    ):
        raise NotPermitted(_("只有主办单位的负责人可以签发或退回答复。"))
    _check(actor, case, CaseAction.APPROVE)


def _pending_draft(case: Case, action: str) -> ReplyDraft:
    draft = (
        ReplyDraft.objects.select_for_update()
        .filter(case=case, decision=DraftDecision.PENDING)
        .first()
    )
    if draft is None:
        raise workflow.refuse(case, action)
    return draft


@transaction.atomic
def approve_reply(*, actor: User, case: Case, comment: str = "") -> Reply:
    """The lead unit's leader signs off the pending draft (签发): it is sent to the author as
    the round's reply, signed with the leader's name."""
    locked = _lock(case)
    _check_signer(actor, locked)
    workflow.require(locked, "approve_reply")
    draft = _pending_draft(locked, "approve_reply")
    answer = _send_reply(
        locked,
        actor=actor,
        unit_id=draft.unit_id,
        result_class=draft.result_class,
        content=draft.content,
        measures=draft.measures,
        approved_by_name=actor.display_name,
        approved_by=actor,
        sent_by=draft.drafted_by or actor,
        action="approve_reply",
        extra={"draft": draft.pk},
    )
    draft.decision = DraftDecision.APPROVED
    draft.decided_by, draft.decided_at = actor, answer.sent_at
    draft.comment = _text(comment, COMMENT_MAX)
    draft.reply = answer
    draft.save(update_fields=["decision", "decided_by", "decided_at", "comment", "reply"])
    _notify(
        [draft.drafted_by_id],
        notification_kinds.SIGN_OFF.code,
        _("答复已签发:%(title)s") % {"title": locked.title},
        _("%(who)s已签发您拟的答复,答复已发送提出人。") % {"who": actor.display_name},
        locked,
        link=_case_link(locked),
    )
    return answer


@transaction.atomic
def return_reply(*, actor: User, case: Case, comment: str) -> ReplyDraft:
    """The lead unit's leader returns the pending draft for revision (退回修改), with the
    reason: the case goes back to where it was and the staff revise and submit again."""
    locked = _lock(case)
    _check_signer(actor, locked)
    workflow.require(locked, "return_reply")
    draft = _pending_draft(locked, "return_reply")
    workflow.require(locked, "return_reply", to=draft.from_status)
    if not comment.strip():
        raise InvalidInput(field_errors={"comment": [_("请填写退回修改的理由。")]})
    reason = _text(comment, COMMENT_MAX)
    draft.decision = DraftDecision.RETURNED
    draft.decided_by, draft.decided_at = actor, timezone.now()
    draft.comment = reason
    draft.save(update_fields=["decision", "decided_by", "decided_at", "comment"])
    workflow.move(
        locked,
        actor=actor,
        action="return_reply",
        to=draft.from_status,
        comment=reason,
        event={"unit_id": draft.unit_id},
        audit_after={"draft": draft.pk},
        check_policy=False,
    )
    _notify(
        [*unit_staff([draft.unit_id]), draft.drafted_by_id],
        notification_kinds.SIGN_OFF.code,
        _("答复被退回修改:%(title)s") % {"title": locked.title},
        _("%(who)s退回了答复,理由:%(reason)s。请修改后重新提交签发。")
        % {"who": actor.display_name, "reason": _text(comment, 200)},
        locked,
        link=_case_link(locked),
    )
    return draft


@transaction.atomic
def rate(*, actor: User, case: Case, rating: str, comment: str) -> Case:
    """The author rates the round's reply: satisfied or basically satisfied closes the case;
    unsatisfied reopens it for another round with a new deadline."""
    locked = _lock(case)
    if not case_policy.can(actor, locked, CaseAction.VIEW):
        case_policy.check(actor, locked, CaseAction.VIEW)
    if locked.author_id is None or locked.author_id != actor.pk:
        raise NotPermitted(_("只有提出人可以评价答复。"))
    if rating not in Rating.values:
        raise InvalidInput(field_errors={"rating": [_("请选择满意、基本满意或不满意。")]})
    unsatisfied = rating == Rating.UNSATISFIED
    target = CaseStatus.REOPENED if unsatisfied else CaseStatus.CLOSED
    workflow.require(locked, "rate", to=target)
    if unsatisfied and not comment.strip():
        raise InvalidInput(
            field_errors={"comment": [_("不满意时请写明理由,便于承办单位重新办理。")]}
        )
    Evaluation.objects.create(
        case=locked, round=locked.round, rating=rating, comment=_text(comment), rated_by=actor
    )
    label = Rating(rating).label
    now = timezone.now()
    if unsatisfied:
        rules = _stored_rules(locked.congress)
        locked.round += 1
        locked.due_on = add_months(local_date(now), rules.reopen_months)
        workflow.move(
            locked,
            actor=actor,
            action="rate",
            to=target,
            fields=["round", "due_on"],
            comment=f"{label}:{_text(comment, 500)}",
            event={"unit_id": locked.lead_unit_id},
            audit_after={
                "rating": rating,
                "round": locked.round,
                "due_on": locked.due_on.isoformat(),
            },
        )
        _notify(
            unit_staff([locked.lead_unit_id]),
            notification_kinds.ASSIGNED.code,
            _("重新办理:%(title)s") % {"title": locked.title},
            _("提出人对答复不满意,请于 %(due)s 前重新办理并答复。意见:%(comment)s")
            % {"due": locked.due_on.isoformat(), "comment": _text(comment, 200)},
            locked,
            due=locked.due_on.isoformat(),
        )
    else:
        locked.closed_at = now
        workflow.move(
            locked,
            actor=actor,
            action="rate",
            to=target,
            fields=["closed_at"],
            comment=f"{label}:{_text(comment, 500)}".rstrip(":"),
            event={"unit_id": locked.lead_unit_id},
            audit_after={"rating": rating},
        )
        _notify(
            unit_staff([locked.lead_unit_id]),
            notification_kinds.PROGRESS.code,
            _("答复评价:%(title)s") % {"title": locked.title},
            _("提出人评价为“%(rating)s”,事项已办结。") % {"rating": label},
            locked,
        )
    return locked


@transaction.atomic
def report_promise_done(*, actor: User, case: Case, report: str) -> Reply:
    """The lead unit reports that a B-class reply's promised measures are done."""
    locked = _lock(case)
    _check(actor, locked, CaseAction.HANDLE)
    answer = Reply.objects.select_for_update().filter(case=locked).order_by("-round").first()
    if answer is None or answer.result_class != ResultClass.B:
        raise InvalidInput(_("只有 B 类答复需要报告承诺事项的完成情况。"))
    if answer.promise_done_at is not None:
        raise Conflict(
            _("承诺事项已于 %(date)s 报告完成。"),
            date=local_date(answer.promise_done_at).isoformat(),
        )
    if not report.strip():
        raise InvalidInput(field_errors={"report": [_("请填写承诺事项的完成情况。")]})
    answer.promise_done_at = timezone.now()
    answer.promise_report = _text(report)
    answer.save(update_fields=["promise_done_at", "promise_report"])
    workflow.note(
        locked,
        actor=actor,
        action="promise_done",
        comment=_text(report, 500),
        event={"unit_id": answer.unit_id},
        audit_of=answer,
        audit_after={"promise_done_at": answer.promise_done_at.isoformat()},
        audit_message=locked.title,
    )
    _notify(
        [locked.author_id],
        notification_kinds.PROGRESS.code,
        _("承诺事项已完成:%(title)s") % {"title": locked.title},
        _text(report, 200),
        locked,
    )
    return answer


@transaction.atomic
def publish_reply(*, actor: User, case: Case) -> Reply:
    """The office releases the latest reply for the portal (answering and publishing are
    separate decisions). Publishing twice changes nothing."""
    locked = _lock(case)
    _check(actor, locked, CaseAction.CHANGE)
    answer = Reply.objects.select_for_update().filter(case=locked).order_by("-round").first()
    if answer is None:
        raise workflow.refuse(locked, "publish")
    if answer.published_at is not None:
        return answer
    answer.published_at = timezone.now()
    answer.save(update_fields=["published_at"])
    workflow.note(
        locked,
        actor=actor,
        action="publish",
        event={"unit_id": answer.unit_id},
        audit_of=answer,
        audit_after={"published_at": answer.published_at.isoformat()},
        audit_message=locked.title,
    )
    return answer


@transaction.atomic
def supervise(*, actor: User, case: Case, comment: str) -> CaseEvent:
    """An office or a leader adds a supervision instruction (督办意见) to an open case."""
    locked = _lock(case)
    _check(actor, locked, CaseAction.SUPERVISE)
    workflow.require(locked, "supervise")
    if not comment.strip():
        raise InvalidInput(field_errors={"comment": [_("请填写督办意见。")]})
    event = workflow.note(
        locked,
        actor=actor,
        action="supervise",
        comment=_text(comment, COMMENT_MAX),
        event={"unit_id": locked.lead_unit_id},
        audit_after={"supervised": True},
        audit_message=_text(comment, 500),
    )
    assert isinstance(event, CaseEvent)
    # A supervision instruction is addressed to the unit's leadership as well as its staff.
    _notify(
        unit_staff([locked.lead_unit_id], UNIT_ROLES),
        notification_kinds.PROGRESS.code,
        _("督办:%(title)s") % {"title": locked.title},
        _text(comment, 200),
        locked,
    )
    return event


# The deadline scan ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    pk: int
    round: int
    due_on: datetime.date
    congress_id: int
    lead_unit_id: int
    region_id: str
    title: str
    subject_type: str
    subject_id: str
    supervisor_id: int | None


# A reminder to claim: (case id, round, kind, step).
_Key = tuple[int, int, str, int]


def _claim(rows: list[_Key], token: str) -> set[tuple[int, str, int]]:
    """Insert the reminder rows, skipping those another run has already inserted, and return
    the (case, kind, step) keys this run inserted: only those are ours to send. A concurrent
    run's insert of the same key waits for our commit and then skips it.

    Plain multi-row INSERT ... ON CONFLICT DO NOTHING: the first scan after a backlog claims
    tens of thousands of rows, and building model instances and Django's per-value
    preparation took most of the scan's time.

    On PostgreSQL the rows go in as four arrays through ``unnest`` in one statement instead:
    psycopg binds on the client, so 1,000-row VALUES chunks had every one of their 6,000
    parameters quoted in Python, 3.3 s of a 4.1 s scan claiming 87,000 reminders (city
    scale); four array parameters took 1.1 s for the same rows (the plan is the same insert
    with the same unique-index checks, fed by a Function Scan on unnest)."""
    meta = Reminder._meta
    quote = connection.ops.quote_name
    column = {f.name: str(f.column) for f in meta.concrete_fields}
    columns = [column[name] for name in ("case", "round", "kind", "step", "claim", "sent_at")]
    sent_at = connection.ops.adapt_datetimefield_value(timezone.now())
    if connection.vendor == "postgresql":
        if rows:
            cases, rounds, kinds, steps = (list(values) for values in zip(*rows, strict=True))
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608
                    "SELECT c, r, k, s, %s, %s FROM unnest(%s::bigint[], %s::smallint[], "
                    "%s::varchar[], %s::integer[]) AS t(c, r, k, s) ON CONFLICT DO NOTHING",
                    [token, sent_at, cases, rounds, kinds, steps],
                )
        return set(Reminder.objects.filter(claim=token).values_list("case_id", "kind", "step"))
    limit = connection.features.max_query_params or 30000
    chunk = max(1, min(1000, limit // len(columns)))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(part))
            # Only the model's own table and column names are interpolated; values are bound.
            cursor.execute(
                f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608
                f"VALUES {values} ON CONFLICT DO NOTHING",
                [v for row in part for v in (*row, token, sent_at)],
            )
    return set(Reminder.objects.filter(claim=token).values_list("case_id", "kind", "step"))


def scan_deadlines(*, today: datetime.date | None = None) -> int:
    """Send due-soon reminders to lead units, co-unit opinion reminders, and overdue
    escalations to the lead unit's staff, the supervising leader and the congress offices
    covering the case; each rule step at most once per case and round, however many
    schedulers run. Messages are grouped per recipient (one digest per kind and run), so a
    unit with forty cases due gets one text message, not forty. Returns the reminders sent."""
    today = today or local_date()
    rules = {r.congress_id: r for r in DeadlineRules.objects.all()}
    remind = {cid: reminder_steps(r.remind_days, DEFAULT_REMIND_DAYS) for cid, r in rules.items()}
    escalate = {
        cid: reminder_steps(r.escalate_days, DEFAULT_ESCALATE_DAYS) for cid, r in rules.items()
    }
    horizon = max([*DEFAULT_REMIND_DAYS, *(max(v, default=0) for v in remind.values())])
    limit = today + datetime.timedelta(days=horizon)

    open_due = Case.objects.filter(status__in=OPEN_STATUSES, due_on__lte=limit)
    candidates = [
        _Candidate(*row)
        for row in open_due.values_list(
            "pk",
            "round",
            "due_on",
            "congress_id",
            "lead_unit_id",
            "region_id",
            "title",
            "subject_type",
            "subject_id",
            "supervisor_id",
        ).order_by()
    ]
    sent = set(
        Reminder.objects.filter(
            case__status__in=OPEN_STATUSES,
            case__due_on__lte=limit,
            round=F("case__round"),
        )
        .exclude(kind=ReminderKind.CO_OPINION)
        .values_list("case_id", "kind", "step")
        .order_by()
    )
    token = uuid.uuid4().hex
    wanted: list[_Key] = []
    for case in candidates:
        days_left = (case.due_on - today).days
        if days_left >= 0:
            kind: str = ReminderKind.DUE_SOON.value
            steps = [s for s in remind.get(case.congress_id, DEFAULT_REMIND_DAYS) if days_left <= s]
        else:
            kind = ReminderKind.OVERDUE.value
            steps = [
                s
                for s in escalate.get(case.congress_id, DEFAULT_ESCALATE_DAYS)
                if -days_left >= max(s, 1)
            ]
        wanted.extend(
            (case.pk, case.round, kind, s) for s in steps if (case.pk, kind, s) not in sent
        )
    co_rows = list(
        CaseUnit.objects.filter(
            role=UnitRole.CO,
            active=True,
            opinion_at__isnull=True,
            opinion_due_on__lte=today + datetime.timedelta(days=CO_OPINION_REMIND_DAYS),
            case__status__in=OPEN_STATUSES,
        )
        .values_list(
            "case_id",
            "case__round",
            "unit_id",
            "opinion_due_on",
            "case__title",
            "case__subject_type",
            "case__subject_id",
        )
        .order_by()
    )
    co_sent = (
        set(
            Reminder.objects.filter(kind=ReminderKind.CO_OPINION, case__status__in=OPEN_STATUSES)
            .values_list("case_id", "round", "step")
            .order_by()
        )
        if co_rows
        else set()
    )
    wanted.extend(
        (cid, rnd, ReminderKind.CO_OPINION.value, unit_id)
        for cid, rnd, unit_id, *_rest in co_rows
        if (cid, rnd, unit_id) not in co_sent
    )
    if not wanted:
        return 0
    # One order for every run: a concurrent run then waits on the first row it shares with
    # ours instead of claiming a different half and deadlocking.
    wanted.sort()

    with transaction.atomic():
        ours = _claim(wanted, token)
        if not ours:
            return 0
        # A case answered or closed since the candidates were read needs no reminder; its
        # claimed row just records that the step is done.
        live = set(
            Case.objects.filter(
                status__in=OPEN_STATUSES,
                pk__in=Reminder.objects.filter(claim=token).values("case_id"),
            )
            .values_list("pk", flat=True)
            .order_by()
        )
        ours = {key for key in ours if key[0] in live}
        by_pk = {c.pk: c for c in candidates}
        claimed_cases: dict[str, set[int]] = defaultdict(set)
        # Cases whose claimed overdue steps include one past the first: the escalation
        # widens to the government's supervision office.
        escalated: set[int] = set()
        co_claims: list[tuple[int, int, datetime.date, str, str, str]] = []
        for case_id, claimed_kind, step in ours:
            if claimed_kind != ReminderKind.CO_OPINION:
                claimed_cases[claimed_kind].add(case_id)
            if claimed_kind == ReminderKind.OVERDUE and step > min(
                escalate.get(by_pk[case_id].congress_id, DEFAULT_ESCALATE_DAYS), default=0
            ):
                escalated.add(case_id)
        for cid, _rnd, unit_id, due, title, stype, sid in co_rows:
            if due is not None and (cid, ReminderKind.CO_OPINION, unit_id) in ours:
                co_claims.append((unit_id, cid, due, title, stype, sid))
        _send_due_soon([by_pk[pk] for pk in sorted(claimed_cases[ReminderKind.DUE_SOON])], today)
        _send_overdue(
            [by_pk[pk] for pk in sorted(claimed_cases[ReminderKind.OVERDUE])], today, escalated
        )
        _send_co_opinion(co_claims, today)
    log.info("cases.deadline_scan", candidates=len(candidates), reminders=len(ours))
    return len(ours)


def _digest(cases: Sequence[_Candidate], line: Any) -> tuple[str, str]:
    """(body, url) of a message about ``cases``: their titles, and a link when there is one."""
    lines = [line(c) for c in cases[:DIGEST_TITLES]]
    if len(cases) > DIGEST_TITLES:
        lines.append(_("……等共 %(n)d 件") % {"n": len(cases)})
    url = subjects.url(cases[0].subject_type, cases[0].subject_id) if len(cases) == 1 else ""
    return "\n".join(lines), url


def _send(
    recipients: list[int], kind: str, title: str, cases: Sequence[_Candidate], line: Any
) -> None:
    if not recipients or not cases:
        return
    body, url = _digest(cases, line)
    first = cases[0]
    notifications.notify(
        recipients=recipients,
        kind=kind,
        title=title[:200],
        body=body,
        url=url,
        sms_params={
            "title": first.title[:20],
            "count": len(cases),
            "due": first.due_on.isoformat(),
        },
    )


def _group(cases: Iterable[_Candidate], key: Any) -> dict[Any, list[_Candidate]]:
    grouped: dict[Any, list[_Candidate]] = defaultdict(list)
    for case in cases:
        grouped[key(case)].append(case)
    return grouped


def _send_due_soon(cases: list[_Candidate], today: datetime.date) -> None:
    if not cases:
        return
    staff = staff_by_unit({c.lead_unit_id for c in cases})
    for unit_id, group in _group(cases, lambda c: c.lead_unit_id).items():
        group.sort(key=lambda c: (c.due_on, c.pk))
        title = (
            _("办理期限提醒:%(title)s") % {"title": group[0].title}
            if len(group) == 1
            else _("办理期限提醒:%(n)d 件事项即将到期") % {"n": len(group)}
        )
        _send(
            staff.get(unit_id, []),
            notification_kinds.DUE_SOON.code,
            title,
            group,
            lambda c: (
                _("%(title)s,%(due)s 到期(还有 %(days)d 天)")
                % {"title": c.title, "due": c.due_on.isoformat(), "days": (c.due_on - today).days}
            ),
        )


def _send_overdue(cases: list[_Candidate], today: datetime.date, escalated: set[int]) -> None:
    """The overdue ladder: from the first step the lead unit's staff and leaders, the congress
    offices covering the case and its supervising leader; from the second step on, also the
    government's supervision office (督查室) covering it."""
    if not cases:
        return

    def line(c: _Candidate) -> str:
        return _("%(title)s,%(due)s 到期,已逾期 %(days)d 天") % {
            "title": c.title,
            "due": c.due_on.isoformat(),
            "days": (today - c.due_on).days,
        }

    def title_for(group: list[_Candidate]) -> str:
        if len(group) == 1:
            return _("逾期督办:%(title)s") % {"title": group[0].title}
        return _("逾期督办:%(n)d 件事项已超过答复期限") % {"n": len(group)}

    kind = notification_kinds.OVERDUE.code
    # Each recipient gets one digest of the cases they answer for or oversee.
    per_user: dict[int, list[_Candidate]] = defaultdict(list)
    staff = staff_by_unit({c.lead_unit_id for c in cases}, UNIT_ROLES)
    offices = offices_by_region({c.region_id for c in cases})
    oversight = offices_by_region(
        {c.region_id for c in cases if c.pk in escalated}, Role.SUPERVISION
    )
    for case in cases:
        users: set[int] = {
            *staff.get(case.lead_unit_id, []),
            *offices.get(case.region_id, []),
            *oversight.get(case.region_id, []),
        }
        if case.supervisor_id:
            users.add(case.supervisor_id)
        for user_id in users:
            per_user[user_id].append(case)
    # Recipients with the same list share one notify call.
    by_list: dict[tuple[int, ...], list[int]] = defaultdict(list)
    for user_id, group in per_user.items():
        by_list[tuple(sorted(c.pk for c in group))].append(user_id)
    by_pk = {c.pk: c for c in cases}
    for pks, user_ids in by_list.items():
        group = sorted((by_pk[pk] for pk in pks), key=lambda c: (c.due_on, c.pk))
        _send(sorted(user_ids), kind, title_for(group), group, line)


def _send_co_opinion(
    claims: list[tuple[int, int, datetime.date, str, str, str]], today: datetime.date
) -> None:
    if not claims:
        return
    staff = staff_by_unit({c[0] for c in claims})
    grouped: dict[int, list[_Candidate]] = defaultdict(list)
    for unit_id, cid, due, title, stype, sid in claims:
        grouped[unit_id].append(_Candidate(cid, 0, due, 0, unit_id, "", title, stype, sid, None))
    for unit_id, group in grouped.items():
        group.sort(key=lambda c: (c.due_on, c.pk))
        title = (
            _("协办意见提醒:%(title)s") % {"title": group[0].title}
            if len(group) == 1
            else _("协办意见提醒:%(n)d 件事项的协办意见即将到期") % {"n": len(group)}
        )
        _send(
            staff.get(unit_id, []),
            notification_kinds.DUE_SOON.code,
            title,
            group,
            lambda c: (
                _("%(title)s,协办意见 %(due)s 到期")
                % {"title": c.title, "due": c.due_on.isoformat()}
            ),
        )
